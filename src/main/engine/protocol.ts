import type { AppErrorShape } from '../../shared/result.js'
import type { LoadedModel } from '../../shared/domain.js'
import type { HardwareInfo, ModelFit } from '../../shared/models.js'
import type { GenerateRequest, GenerateResult, ToolCallDelta } from '../../shared/generation.js'
import type { SlotMeasurement } from './slotCalibration.js'

/** Host → engine process. `id` pairs each request with its reply. */
export type EngineRequest =
  | {
      type: 'load'
      id: number
      path: string
      threads: number | null
      sequences: number
      /** Tokens each sequence must hold; absent or null: the chat default (see `contextPlan`). */
      contextSize?: number | null
      gpu: 'auto' | false
      /** A smaller model of the same family to draft chat replies with. */
      draft?: string | null
    }
  | { type: 'unload'; id: number }
  | { type: 'generate'; id: number; request: GenerateRequest }
  | { type: 'abort'; id: number }
  | { type: 'inspect'; id: number; source: string }
  | { type: 'hardware'; id: number }
  /** How many slots (up to `limit`) the free memory holds for the loaded model: answered with a number. */
  | { type: 'slotRoom'; id: number; limit: number }
  /** Aggregate tokens/s at each count (cancelled by `abort` or any generation): answered with the measurements or null. */
  | { type: 'calibrateSlots'; id: number; counts: number[] }

/** Engine process → host. */
export type EngineReply =
  | { type: 'ready'; gpu: string | null; cpuMathCores: number }
  | { type: 'progress'; id: number; progress: number }
  | { type: 'text'; id: number; text: string; tokens: number }
  | { type: 'reasoning'; id: number; text: string; tokens: number }
  | { type: 'toolCall'; id: number; delta: ToolCallDelta; tokens: number }
  | { type: 'done'; id: number; value: LoadedModel | GenerateResult | ModelFit | HardwareInfo | SlotMeasurement[] | number | null }
  | { type: 'failed'; id: number; error: AppErrorShape }

/**
 * A running engine process, whatever started it (`child_process.fork` headless, Electron's
 * `utilityProcess` in the desktop app).
 */
export interface EngineProcess {
  send(message: EngineRequest): void
  onMessage(listener: (message: EngineReply) => void): void
  /** Called once when the process ends, with a description such as `signal SIGKILL` or `code 134`. */
  onExit(listener: (reason: string) => void): void
  kill(): void
  readonly pid: number | undefined
}

/** Starts a fresh engine process. */
export type EngineLauncher = () => EngineProcess
