#!/usr/bin/env node
// Refuses to release from a tag that is not `v<version of package.json>`: the installers, the update
// feeds and the app's own "About" would otherwise disagree about which version this is.
// Usage: node scripts/release/checkTag.js <tag>   (the workflow passes $GITHUB_REF_NAME)
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const tag = process.argv[2] ?? ''

if (!tag) {
  console.error(`No release tag given: pass the tag being released (v${version} for this package.json).`)
  process.exit(1)
}
if (tag !== `v${version}`) {
  console.error(
    `The release tag "${tag}" does not match package.json's version ${version}: tag the commit v${version}, or set the version to ${tag.replace(/^v/, '')} first.`,
  )
  process.exit(1)
}
console.log(`Releasing ${tag}.`)
