import type { EngineReply, EngineRequest } from './protocol.js'
import { LlamaRuntime } from './llamaRuntime.js'
import { AppError, toErrorShape } from '../../shared/result.js'
import type { ToolCallDelta } from '../../shared/generation.js'

/**
 * Entry point of the engine process: the only process that loads llama.cpp. Started by the host with
 * UV_THREADPOOL_SIZE=1 (see docs/ARCHITECTURE.md). Output is batched here so the host gets a few messages per
 * second per generation, not one per token: per-token IPC would sit on the decode loop's critical path.
 */
const TEXT_FLUSH_MS = 25

interface ParentPort {
  on(event: 'message', listener: (event: { data: EngineRequest }) => void): void
  postMessage(message: EngineReply): void
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort

function send(message: EngineReply): void {
  if (parentPort) parentPort.postMessage(message)
  else if (process.connected) process.send?.(message)
}

// Without its host the engine has no purpose: never linger as an orphan holding the model in memory.
process.on('disconnect', () => process.exit(0))

function listen(handler: (message: EngineRequest) => void): void {
  if (parentPort) parentPort.on('message', (event) => handler(event.data))
  else process.on('message', (message) => handler(message as EngineRequest))
}

/**
 * Batches one generation's stream. Content, reasoning and each tool call are batched separately but
 * never reordered: a piece of another kind sends what is pending first.
 */
function streamBatcher(id: number) {
  let pending: Extract<EngineReply, { type: 'text' | 'reasoning' | 'toolCall' }> | null = null
  let sentAny = false
  let timer: NodeJS.Timeout | null = null
  const flush = () => {
    if (timer) clearTimeout(timer)
    timer = null
    if (pending) send(pending)
    pending = null
  }
  const push = (next: NonNullable<typeof pending>) => {
    if (
      pending &&
      pending.type === next.type &&
      (next.type !== 'toolCall' || (pending.type === 'toolCall' && pending.delta.index === next.delta.index))
    ) {
      pending =
        next.type === 'toolCall' && pending.type === 'toolCall'
          ? { ...next, delta: { ...next.delta, argumentsText: pending.delta.argumentsText + next.delta.argumentsText } }
          : next.type !== 'toolCall' && pending.type !== 'toolCall'
            ? { ...next, text: pending.text + next.text }
            : next
    } else {
      flush()
      pending = next
    }
    // The first words go out at once (time to first token is what people notice); the rest in batches.
    if (!sentAny) {
      sentAny = true
      flush()
      return
    }
    timer ??= setTimeout(flush, TEXT_FLUSH_MS)
  }
  return {
    text: (text: string, tokens: number) => push({ type: 'text', id, text, tokens }),
    reasoning: (text: string, tokens: number) => push({ type: 'reasoning', id, text, tokens }),
    toolCall: (delta: ToolCallDelta, tokens: number) => push({ type: 'toolCall', id, delta, tokens }),
    flush,
  }
}

async function main(): Promise<void> {
  const gpu = process.env.GRIDFORGE_GPU === 'off' ? false : 'auto'
  const runtime = await LlamaRuntime.create(gpu, process.env.GRIDFORGE_PROMPT_LOOKUP !== 'off')
  const aborts = new Map<number, AbortController>()

  const handle = async (message: EngineRequest): Promise<void> => {
    switch (message.type) {
      case 'abort':
        aborts.get(message.id)?.abort()
        return
      case 'load': {
        const info = await runtime.load(
          message.path,
          message.threads,
          message.sequences,
          (progress) => send({ type: 'progress', id: message.id, progress }),
          message.contextSize ?? null,
          message.draft ?? null,
        )
        send({ type: 'done', id: message.id, value: info })
        return
      }
      case 'inspect':
        send({ type: 'done', id: message.id, value: await runtime.inspect(message.source) })
        return
      case 'hardware':
        send({ type: 'done', id: message.id, value: await runtime.hardware() })
        return
      case 'slotRoom':
        send({ type: 'done', id: message.id, value: await runtime.slotRoom(message.limit) })
        return
      case 'calibrateSlots': {
        const controller = new AbortController()
        aborts.set(message.id, controller)
        try {
          send({ type: 'done', id: message.id, value: await runtime.calibrateSlots(message.counts, controller.signal) })
        } finally {
          aborts.delete(message.id)
        }
        return
      }
      case 'unload':
        await runtime.unload()
        send({ type: 'done', id: message.id, value: null })
        return
      case 'generate': {
        const controller = new AbortController()
        aborts.set(message.id, controller)
        const batch = streamBatcher(message.id)
        try {
          const result = await runtime.generate(
            message.request,
            { text: batch.text, reasoning: batch.reasoning, toolCall: batch.toolCall, progress: () => undefined },
            controller.signal,
          )
          batch.flush()
          send({ type: 'done', id: message.id, value: result })
        } finally {
          batch.flush()
          aborts.delete(message.id)
        }
        return
      }
    }
  }

  listen((message) => {
    handle(message).catch((error: unknown) => {
      if (!(error instanceof AppError)) {
        process.stderr.write(`engine: ${message.type} failed: ${error instanceof Error ? error.stack : String(error)}\n`)
      }
      send({ type: 'failed', id: message.id, error: toErrorShape(error) })
    })
  })
  send({ type: 'ready', gpu: runtime.gpu, cpuMathCores: runtime.cores })
}

main().catch((error: unknown) => {
  process.stderr.write(`engine failed to start: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(70)
})
