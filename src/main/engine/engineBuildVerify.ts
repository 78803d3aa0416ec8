import { basename } from 'node:path'
import type { GenerateResult } from '../../shared/generation.js'
import type { EngineLauncher, EngineProcess, EngineReply, EngineRequest } from './protocol.js'

/** How long each step of the check may take before the build counts as broken. */
export interface VerifyTimeouts {
  startMs: number
  loadMs: number
  generateMs: number
}

const DEFAULT_TIMEOUTS: VerifyTimeouts = { startMs: 60_000, loadMs: 300_000, generateMs: 60_000 }

/** The check's outcome: the sentence to show when it failed. */
export type VerifyOutcome = { ok: true; verifiedWith: string | null; tokens: number } | { ok: false; message: string }

type Request = Extract<EngineRequest, { type: 'load' | 'generate' }>

function ask(engine: EngineProcess, request: Request, timeoutMs: number, what: string): Promise<EngineReply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} took longer than ${Math.round(timeoutMs / 1000)} s`)), timeoutMs)
    engine.onMessage((reply) => {
      // Only the answer counts: streamed text and load progress carry the same id.
      if ((reply.type !== 'done' && reply.type !== 'failed') || reply.id !== request.id) return
      clearTimeout(timer)
      resolve(reply)
    })
    engine.send(request)
  })
}

/**
 * Starts an engine process on the new build (the launcher sets `GRIDFORGE_ENGINE_BUILD`), the same engine
 * the app will start, and has it load `model` and generate a few tokens. A build that crashes, hangs or
 * answers with an error fails the check; without a model the check is that the engine starts.
 */
export async function verifyEngineBuild(
  launch: EngineLauncher,
  model: string | null,
  timeouts: VerifyTimeouts = DEFAULT_TIMEOUTS,
): Promise<VerifyOutcome> {
  const engine = launch()
  let exited: string | null = null
  const exit = new Promise<never>((_, reject) =>
    engine.onExit((reason) => {
      exited = reason
      reject(new Error(`the engine process ended (${reason})`))
    }),
  )
  exit.catch(() => undefined)
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`it did not start within ${timeouts.startMs / 1000} s`)), timeouts.startMs)
    engine.onMessage((reply) => {
      if (reply.type !== 'ready') return
      clearTimeout(timer)
      resolve()
    })
  })
  try {
    await Promise.race([ready, exit])
    if (!model) return { ok: true, verifiedWith: null, tokens: 0 }
    const loaded = await Promise.race([
      ask(engine, { type: 'load', id: 1, path: model, threads: null, sequences: 1, gpu: false }, timeouts.loadMs, 'loading the model'),
      exit,
    ])
    if (loaded.type === 'failed') throw new Error(`loading ${basename(model)} failed: ${loaded.error.message}`)
    const request: Request = {
      type: 'generate',
      id: 2,
      request: { kind: 'completion', prompt: 'Once upon a time', params: { maxTokens: 4, temperature: 0, ignoreEos: true } },
    }
    const answer = await Promise.race([ask(engine, request, timeouts.generateMs, 'generating'), exit])
    if (answer.type === 'failed') throw new Error(`generating failed: ${answer.error.message}`)
    const tokens = answer.type === 'done' ? ((answer.value as GenerateResult | null)?.completionTokens ?? 0) : 0
    if (tokens < 1) throw new Error('it generated nothing')
    return { ok: true, verifiedWith: basename(model), tokens }
  } catch (error) {
    const reason = exited ? `the engine process ended while using it (${exited})` : error instanceof Error ? error.message : String(error)
    return { ok: false, message: `The optimized engine failed its check: ${reason}; the standard engine stays in use.` }
  } finally {
    if (!exited) engine.kill()
  }
}

/** The model the check loads: the smallest file present, for the shortest check. */
export function smallestModel(models: ReadonlyArray<{ path: string; sizeBytes: number; present: boolean }>): string | null {
  const present = models.filter((model) => model.present).sort((a, b) => a.sizeBytes - b.sizeBytes)
  return present[0]?.path ?? null
}
