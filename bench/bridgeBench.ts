import type { GenerateRequest } from '../src/shared/generation.js'
import { serverSentData } from '../src/grid/serverSentData.js'
import { openBridge } from '../src/worker/bridge/bridge.js'
import { llamaServerBinary, startLlamaServer } from '../tests/support/llamaServer.js'
import { healthyRoutes, startScriptedServer } from '../tests/support/scriptedOpenAi.js'
import { median, metric, type Metric } from './metrics.js'

const ROUNDS = 21
const MAX_TOKENS = 32
const MESSAGES: Array<{ role: 'user'; content: string }> = [{ role: 'user', content: 'Once upon a time' }]

/** One streamed chat completion straight to the server, read to its end: the reference. */
async function direct(url: string, model: string): Promise<number> {
  const started = performance.now()
  const response = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({
      model,
      messages: MESSAGES,
      max_tokens: MAX_TOKENS,
      temperature: 0,
      seed: 1,
      stream: true,
      stream_options: { include_usage: true },
    }),
  })
  for await (const data of serverSentData(response.body!)) if (data !== '[DONE]') JSON.parse(data)
  return performance.now() - started
}

/**
 * Issue 18's overhead: the same streamed completion through the bridge's engine (what the worker runs
 * for each job: request mapping, timeouts, chunk checks, the health gate's bookkeeping) against the
 * server called directly. Rounds alternate so a busy moment hits both; the overhead is the median of
 * the per-round differences. On llama.cpp's llama-server when it is built (`--reference` builds it),
 * else on a scripted server in this process.
 */
export async function bridgeBench(model: string, build: boolean): Promise<Metric[]> {
  const found = await llamaServerBinary(build)
  const real = 'bin' in found
  const server = real
    ? await startLlamaServer(found.bin, model, ['--alias', 'bench'])
    : await startScriptedServer(healthyRoutes('bench', 'Once upon a time there was a tiny model.')).then((s) => ({
        url: `${s.origin}/v1`,
        stop: () => s.close(),
      }))
  try {
    const bridge = await openBridge({ kind: 'openai', url: server.url, model: 'bench' })
    const request: GenerateRequest = { kind: 'chat', turns: MESSAGES, params: { maxTokens: MAX_TOKENS, temperature: 0, seed: 1 } }
    const bridged = async () => {
      const started = performance.now()
      await bridge.engine.generate(request, {})
      return performance.now() - started
    }
    await direct(server.url, 'bench')
    await bridged()
    const directMs: number[] = []
    const bridgedMs: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      directMs.push(await direct(server.url, 'bench'))
      bridgedMs.push(await bridged())
    }
    const note = real
      ? `llama-server on the tiny model, ${MAX_TOKENS} tokens, ${ROUNDS} rounds`
      : `scripted server (llama-server not built), ${ROUNDS} rounds`
    return [
      metric('bridge.direct_p50', median(directMs), 'ms', undefined, note),
      metric('bridge.bridged_p50', median(bridgedMs), 'ms'),
      metric('bridge.overhead_p50', median(bridgedMs.map((ms, i) => ms - directMs[i]!)), 'ms', '< 5'),
    ]
  } finally {
    await server.stop()
  }
}
