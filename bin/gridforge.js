#!/usr/bin/env node
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url))
if (!existsSync(cli)) {
  process.stderr.write('gridforge: the app is not built yet; run "npm run build" (npm install does it too).\n')
  process.exit(2)
}
await import(cli)
