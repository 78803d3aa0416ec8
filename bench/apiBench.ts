import { EngineSupervisor } from '../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../src/main/engine/forkLauncher.js'
import { startLocalApi } from '../src/main/localApi/localApiServer.js'
import { median, metric, type Metric } from './metrics.js'

const TOKEN = 'gf-bench-token'
const RUNS = 5
// Long enough that the fixed cost of an HTTP request (~4 ms) does not dominate a 0.7 s generation.
const MAX_TOKENS = 1000

interface Timing {
  ttftMs: number
  tps: number
  tokens: number
}

/** One streamed chat completion through the local API, timed from the request to each SSE chunk. */
async function viaApi(url: string): Promise<Timing> {
  const started = performance.now()
  const response = await fetch(`${url}/v1/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      prompt: 'Once upon a time',
      max_tokens: MAX_TOKENS,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    }),
  })
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let first: number | null = null
  let tokens = 0
  let buffer = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    first ??= performance.now()
    buffer += decoder.decode(value, { stream: true })
    const usage = /"completion_tokens":(\d+)/.exec(buffer)
    if (usage) tokens = Number(usage[1])
  }
  const end = performance.now()
  return { ttftMs: (first ?? end) - started, tps: tokens / ((end - started) / 1000), tokens }
}

/** The same generation straight on the engine, as the API's reference. */
async function viaEngine(engine: EngineSupervisor): Promise<Timing> {
  const started = performance.now()
  let first: number | null = null
  const result = await engine.generate(
    { kind: 'completion', prompt: 'Once upon a time', params: { maxTokens: MAX_TOKENS, temperature: 0 } },
    { onText: () => (first ??= performance.now()) },
  )
  const end = performance.now()
  return { ttftMs: (first ?? end) - started, tps: result.completionTokens / ((end - started) / 1000), tokens: result.completionTokens }
}

/** Local API metrics of issue 8: TTFT and tokens/s versus the engine directly, and under concurrency. */
export async function apiBench(engineEntry: string, model: string): Promise<Metric[]> {
  const engine = new EngineSupervisor({ launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }), sequences: 4 })
  const api = await startLocalApi(engine, () => () => undefined, { host: '127.0.0.1', port: 0, token: TOKEN, maxActive: 4, maxQueued: 8 })
  try {
    await engine.load(model)
    await viaEngine(engine)
    const direct: Timing[] = []
    const http: Timing[] = []
    for (let run = 0; run < RUNS; run++) {
      direct.push(await viaEngine(engine))
      http.push(await viaApi(api.url))
    }
    const metrics = [
      metric(
        'api.ttft_ms',
        median(http.map((t) => t.ttftMs)),
        'ms',
        undefined,
        `engine directly: ${median(direct.map((t) => t.ttftMs)).toFixed(2)} ms`,
      ),
      metric('api.tps_vs_engine', median(http.map((t) => t.tps)) / median(direct.map((t) => t.tps)), 'ratio', '>= 0.95'),
    ]
    for (const clients of [1, 2, 4]) {
      const started = performance.now()
      const runs = await Promise.all(Array.from({ length: clients }, () => viaApi(api.url)))
      const seconds = (performance.now() - started) / 1000
      const tokens = runs.reduce((sum, run) => sum + run.tokens, 0)
      metrics.push(metric(`api.aggregate_tps.clients${clients}`, tokens / seconds, 'tok/s'))
    }
    return metrics
  } finally {
    await api.close()
    await engine.close()
  }
}
