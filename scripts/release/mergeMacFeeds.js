#!/usr/bin/env node
// Merges the latest-mac.yml that each macOS runner wrote into the one the release carries (macFeeds.js).
// Usage: node scripts/release/mergeMacFeeds.js --out <latest-mac.yml> <feed.yml> [<feed.yml> ...]
import { readFileSync, writeFileSync } from 'node:fs'
import { dump } from 'js-yaml'
import { mergeMacFeeds } from './macFeeds.js'

const args = process.argv.slice(2)
const outIndex = args.indexOf('--out')
const out = outIndex === -1 ? undefined : args[outIndex + 1]
const inputs = args.filter((_, index) => index !== outIndex && index !== outIndex + 1)
if (!out || inputs.length < 1) {
  console.error('Usage: node scripts/release/mergeMacFeeds.js --out <latest-mac.yml> <feed.yml> [<feed.yml> ...]')
  process.exit(2)
}
try {
  const merged = mergeMacFeeds(inputs.map((name) => ({ name, text: readFileSync(name, 'utf8') })))
  writeFileSync(out, dump(merged, { lineWidth: -1 }))
  console.log(`${out}: ${merged.files.map((file) => file.url).join(', ')}`)
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error))
  process.exit(1)
}
