import { parseArgs } from 'node:util'
import pkg from '../../package.json'
import { AppError } from '../shared/result.js'
import { benchCommand } from './cli/benchCommand.js'
import { bridgeWorker } from './cli/bridgeWorker.js'
import { chatCommand } from './cli/chatCommand.js'
import { engineCommand } from './cli/engineCommand.js'
import { identityCommand } from './cli/identityCommand.js'
import { modelsCommand } from './cli/modelsCommand.js'
import { runtimePaths } from './host/runtimePaths.js'
import { serveCommand } from './cli/serveCommand.js'
import { serviceCommand } from './cli/serviceCommand.js'
import { statusCommand } from './cli/statusCommand.js'
import { workerCommand } from './cli/workerCommand.js'
import { USAGE, UsageError } from './cli/usage.js'
import { defaultDataDir } from './host/dataDir.js'

// `gridforge chat … | head` closes stdout early; that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string' },
      token: { type: 'string' },
      'new-token': { type: 'boolean', default: false },
      'allowed-host': { type: 'string', multiple: true },
      model: { type: 'string' },
      system: { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean', default: false },
      reference: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      api: { type: 'boolean', default: false },
      'api-host': { type: 'string' },
      'api-port': { type: 'string' },
      network: { type: 'string' },
      'grid-url': { type: 'string' },
      'api-key-file': { type: 'string' },
      name: { type: 'string' },
      slots: { type: 'string' },
      'max-jobs': { type: 'string' },
      'max-length': { type: 'string' },
      'max-context': { type: 'string' },
      sha256: { type: 'string' },
      'payout-wallet': { type: 'string' },
      'valid-days': { type: 'string' },
      signature: { type: 'string' },
      'self-test': { type: 'boolean', default: false },
      'metrics-port': { type: 'string' },
      'metrics-host': { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string' },
      'backend-url': { type: 'string' },
      'backend-key-file': { type: 'string' },
      'backend-model': { type: 'string' },
      'grid-model': { type: 'string' },
      'backends-file': { type: 'string' },
      recover: { type: 'string' },
      fleet: { type: 'boolean', default: false },
      scope: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      prefix: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const dataDir = values['data-dir'] ?? defaultDataDir()
  // The engine processes started from here read their engine choice from this data folder.
  process.env.GRIDFORGE_DATA_DIR = dataDir
  const paths = runtimePaths(import.meta.url)
  // `gridforge --help` puts the flag where the command goes.
  if (values.help || !command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  switch (command) {
    case 'serve':
      return serveCommand({ ...values, dataDir, version: pkg.version, ...paths })
    case 'chat':
      return chatCommand({ ...values, dataDir, prompt: positionals.join(' '), version: pkg.version, ...paths })
    case 'models':
      return modelsCommand({ dataDir, args: positionals, sha256: values.sha256, version: pkg.version, ...paths })
    case 'worker':
      if (values.backend !== undefined || values['backends-file'] !== undefined)
        return bridgeWorker({ ...values, dataDir, version: pkg.version, ...paths })
      return workerCommand({ ...values, dataDir, version: pkg.version, ...paths })
    case 'engine':
      return engineCommand({ dataDir, args: positionals, model: values.model, json: values.json, engineEntry: paths.engineEntry })
    case 'identity':
      return identityCommand({ ...values, dataDir, args: positionals })
    case 'status':
      return statusCommand({ ...values, dataDir, version: pkg.version })
    case 'service':
      return serviceCommand({ ...values, dataDir, args: positionals, cliEntry: process.argv[1] ?? '' })
    case 'bench':
      return benchCommand(paths.repoRoot, rest)
    default:
      throw new UsageError(`Unknown command "${command}". Run gridforge --help for the list.`)
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof AppError) {
      process.stderr.write(`gridforge: ${error.message}\n`)
      process.exit(2)
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`gridforge: ${error.message}\n`)
      process.exit(2)
    }
    process.stderr.write(`gridforge: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`)
    process.exit(1)
  },
)
