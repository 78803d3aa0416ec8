import WebSocket from 'ws'
import type { DevGrid } from './devGrid/index.js'

/** The dev grid's default account key. */
export const DEV_KEY = 'dev-key-alice'

/** An AIPG worker on the dev grid that answers every chat job with the same reply, token by token. */
export interface ScriptedAipgWorker {
  /** The OpenAI requests the worker was given. */
  readonly requests: Array<Record<string, unknown>>
  close(): void
}

/**
 * Connects a scripted worker to the dev grid's socket. `reply` is split into tokens of a few characters,
 * sent `tokenDelayMs` apart, so a client sees the text stream in.
 */
export async function scriptedAipgWorker(
  grid: DevGrid,
  options: {
    model: string
    reply: string
    tokenDelayMs?: number
    name?: string
    /** Builds each token when it is sent (e.g. a timestamp); then `reply` only gives the token count. */
    makeToken?: (index: number) => string
    /** Thinking streamed as `delta.reasoning_content` before the reply, as a reasoning model's worker does. */
    thinking?: string
  },
): Promise<ScriptedAipgWorker> {
  const ws = new WebSocket(grid.wsUrl)
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  const requests: Array<Record<string, unknown>> = []
  const timers = new Set<NodeJS.Timeout>()
  const ready = new Promise<void>((resolve) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>
      if (frame.type === 'ready') resolve()
      else if (frame.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }))
      else if (frame.type === 'job') {
        const payload = frame.payload as { request: Record<string, unknown> }
        requests.push(payload.request)
        answer(String(frame.id))
      } else if (frame.type === 'cancel') {
        for (const timer of timers) clearTimeout(timer)
        ws.send(JSON.stringify({ type: 'done', id: frame.id, full_text: '', finish_reason: 'stop', cancelled: true }))
      }
    })
  })
  const answer = (id: string) => {
    const thoughts = options.thinking?.match(/[\s\S]{1,4}/g) ?? []
    const tokens = options.reply.match(/[\s\S]{1,4}/g) ?? []
    const delay = options.tokenDelayMs ?? 5
    const frames: Array<() => Record<string, unknown>[]> = [
      ...thoughts.map((thought) => () => [{ type: 'token', id, delta: { reasoning_content: thought }, finish_reason: null }]),
      ...tokens.map((token, index) => () => {
        const frame = { type: 'token', id, delta: { content: options.makeToken?.(index) ?? token }, finish_reason: null }
        if (index < tokens.length - 1) return [frame]
        const done = {
          type: 'done',
          id,
          full_text: options.reply,
          finish_reason: 'stop',
          usage: { completion_tokens: thoughts.length + tokens.length },
        }
        return [frame, options.thinking ? { ...done, full_reasoning: options.thinking } : done]
      }),
    ]
    // One timer at a time: separate timers per token can fire out of order on a loaded machine.
    const next = (index: number) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        if (ws.readyState !== WebSocket.OPEN) return
        for (const frame of frames[index]!()) ws.send(JSON.stringify(frame))
        if (index + 1 < frames.length) next(index + 1)
      }, delay)
      timers.add(timer)
    }
    if (frames.length > 0) next(0)
  }
  ws.send(
    JSON.stringify({
      apikey: DEV_KEY,
      name: options.name ?? 'scripted-rig',
      models: [options.model],
      max_length: 4096,
      max_context_length: 8192,
      bridge_agent: 'test:1:https://example.invalid',
    }),
  )
  await ready
  return {
    requests,
    close() {
      for (const timer of timers) clearTimeout(timer)
      ws.close()
    },
  }
}

/** An AI Horde text worker on the dev grid, driven step by step by a test (pop, then submit). */
export class HordeTestWorker {
  constructor(
    private readonly grid: DevGrid,
    private readonly model: string,
    private readonly name = 'horde-test-rig',
  ) {}

  /** One pop: registers the worker (online from now on); returns the job if one was waiting. */
  async pop(): Promise<{ id: string; prompt: string; payload: Record<string, unknown> } | null> {
    const response = await fetch(`${this.grid.url}/api/v2/generate/text/pop`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', apikey: DEV_KEY },
      body: JSON.stringify({ name: this.name, models: [this.model], max_length: 512, max_context_length: 8192, bridge_agent: 'test:1:x' }),
    })
    const body = (await response.json()) as { id: string | null; payload: Record<string, unknown> }
    if (response.status !== 200) throw new Error(`pop failed: ${response.status} ${JSON.stringify(body)}`)
    return body.id ? { id: body.id, prompt: String(body.payload.prompt), payload: body.payload } : null
  }

  async submit(id: string, generation: string): Promise<void> {
    const response = await fetch(`${this.grid.url}/api/v2/generate/text/submit`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', apikey: DEV_KEY },
      body: JSON.stringify({ id, generation, state: 'ok' }),
    })
    if (response.status !== 200) throw new Error(`submit failed: ${response.status}`)
  }
}
