import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { benchCommand } from './benchCommand.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    reference: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    model: { type: 'string' },
    'data-dir': { type: 'string' },
  },
})
const engineEntry = join(root, 'out', 'main', 'engineProcess.js')
if (!existsSync(engineEntry)) {
  process.stderr.write('bench: the app is not built; run "npm run build" first.\n')
  process.exit(2)
}
await benchCommand({ ...values, root, engineEntry, bareLoopEntry: join(root, 'bench', 'bareLoop.ts') })
