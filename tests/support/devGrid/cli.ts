import { parseArgs } from 'node:util'
import { startDevGrid, type DevGridEvent } from './index.js'

const USAGE = `Usage: npm run devgrid -- [--port 7860] [--mode both|aipg|horde] [--jobs-per-minute 12]

A local grid speaking AIPG's worker WebSocket and AI Horde's REST polling, with a stream of
demo story jobs, for trying a worker by hand.`

const KEY = 'dev-key-alice'
const MODEL_FILE = 'tests/fixtures/models/stories260K.gguf'
/** New demo jobs wait while this many are queued, so an idle grid does not pile up work. */
const MAX_PENDING = 10

const SUBJECTS = [
  'a lighthouse keeper who finds a map',
  'a robot learning to bake bread',
  'a cat that guards a tiny village',
  'two friends lost in a snowy forest',
  'a dragon afraid of the dark',
  'a girl who can talk to rivers',
  'an old clock that runs backwards',
  'a fox who opens a library',
]
const AIPG_MODELS = ['grid/stories260K', undefined, undefined]
const HORDE_MODELS = [['koboldcpp/stories260K'], ['grid/stories260K'], [], []]

const DEMO_RIG = { type: 'text', models: ['grid/stories260K'], maintenance: false }

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!
}

function maxLength(): number {
  return 64 + Math.floor(Math.random() * 97)
}

function parse() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '7860' },
      mode: { type: 'string', default: 'both' },
      'jobs-per-minute': { type: 'string', default: '12' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    process.exit(0)
  }
  const port = Number(values.port)
  const jobsPerMinute = Number(values['jobs-per-minute'])
  const mode = values.mode
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port: not a port: ${values.port}`)
  if (!isMode(mode)) fail(`--mode: expected both, aipg or horde, got ${mode}`)
  if (!(jobsPerMinute >= 0)) fail(`--jobs-per-minute: not a number: ${values['jobs-per-minute']}`)
  return { port, mode, jobsPerMinute }
}

function isMode(mode: string): mode is 'both' | 'aipg' | 'horde' {
  return mode === 'both' || mode === 'aipg' || mode === 'horde'
}

function fail(message: string): never {
  process.stderr.write(`devgrid: ${message}\n${USAGE}\n`)
  process.exit(2)
}

function time(): string {
  return new Date().toTimeString().slice(0, 8)
}

/** One line per event; prompts and generated text never appear. */
function describe(event: DevGridEvent): string {
  const where = event.network.padEnd(5)
  switch (event.type) {
    case 'settled':
      return (
        `[${time()}] ${where} job ${event.id.slice(0, 8)}  ${event.state.padEnd(9)} ` +
        `${String(event.tokens).padStart(4)} tokens  reward ${event.reward.toFixed(2)}  ` +
        `(${event.worker}, ${event.model})`
      )
    case 'requeued':
      return `[${time()}] ${where} job ${event.id.slice(0, 8)}  requeued: ${event.reason}`
    case 'worker':
      return `[${time()}] ${where} worker ${event.name} ${event.change} (models: ${event.models.join(', ') || 'none'})`
  }
}

async function main(): Promise<void> {
  const { port, mode, jobsPerMinute } = parse()
  const grid = await startDevGrid({
    port,
    mode,
    onEvent: (event) => process.stdout.write(`${describe(event)}\n`),
  })
  const aipg = mode !== 'horde'
  const horde = mode !== 'aipg'
  // Two more machines of the account, so the fleet view has a fleet to show.
  grid.aipg.rigs.set('alice#1', [
    { ...DEMO_RIG, name: 'garage-rig', online: true, den_earned: 41.5, jobs_completed: 812, last_seen: new Date().toISOString() },
    {
      ...DEMO_RIG,
      name: 'attic-rig',
      online: false,
      den_earned: 7.25,
      jobs_completed: 130,
      last_seen: new Date(Date.now() - 3 * 3_600_000).toISOString(),
    },
  ])
  const transports = [aipg && 'AIPG WebSocket', horde && 'AI Horde REST'].filter(Boolean).join(' + ')
  const worker = (network: string) =>
    `  npx gridforge worker --network ${network} --grid-url ${grid.url} --api-key-file /tmp/devkey ` + `--model ${MODEL_FILE} --name my-rig`
  const lines = [
    `Dev grid on ${grid.url} (${transports}). API key: ${KEY}`,
    'Point a worker at it:',
    `  echo ${KEY} > /tmp/devkey`,
    ...(aipg ? [worker('aipg')] : []),
    ...(horde ? [worker('horde')] : []),
    `Worker WebSocket: ${aipg ? grid.wsUrl : 'off (horde mode)'}; Horde API: ${horde ? `${grid.url}/api/v2` : 'answers 410 (aipg mode)'}`,
    `Demo jobs: ${jobsPerMinute} per minute (stories, max_length 64-160). Ctrl-C stops.`,
    '',
  ]
  process.stdout.write(lines.join('\n') + '\n')

  let turn = 0
  const enqueue = () => {
    const networks = [aipg && 'aipg', horde && 'horde'].filter((n): n is string => Boolean(n))
    const network = networks[turn++ % networks.length]
    const pending = grid.pendingJobs()
    const subject = pick(SUBJECTS)
    const length = maxLength()
    if (network === 'aipg' && pending.aipg < MAX_PENDING) {
      const model = pick(AIPG_MODELS)
      grid.enqueueAipg({
        ...(model ? { model } : {}),
        request: {
          model: model ?? 'auto',
          messages: [{ role: 'user', content: `Tell me a short story about ${subject}.` }],
          max_tokens: length,
          temperature: 0.8,
        },
      })
    } else if (network === 'horde' && pending.horde < MAX_PENDING) {
      grid.enqueueHorde({
        models: pick(HORDE_MODELS),
        payload: {
          prompt: `Once upon a time there was ${subject}.`,
          max_length: length,
          max_context_length: 1024,
          temperature: 0.8,
          top_p: 0.9,
        },
      })
    }
  }
  const timer = jobsPerMinute > 0 ? setInterval(enqueue, 60_000 / jobsPerMinute) : undefined
  if (jobsPerMinute > 0) enqueue()

  let stopping = false
  const stop = () => {
    if (stopping) process.exit(1)
    stopping = true
    clearInterval(timer)
    void grid.close().then(() => {
      process.stdout.write('\nDev grid stopped.\n')
      process.exit(0)
    })
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`devgrid: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
