import { OFFLINE_FIT_NOTE, type HardwareInfo, type ModelFit } from '../../shared/models.js'
import type { ModelInspector } from '../engine/engine.js'

/** A failed estimate is tried again after this long (the network may be back). */
const RETRY_FAILED_MS = 5 * 60_000

interface Entry {
  fit: ModelFit | null
  pending: Promise<ModelFit> | null
  failedAt: number
}

/**
 * Fit estimates by source (a path or URL), computed once in the engine process and cached, so lists can
 * show them at once and fill in the rest as they arrive.
 */
export class FitEstimates {
  private readonly entries = new Map<string, Entry>()
  private hardwarePromise: Promise<HardwareInfo> | null = null

  constructor(
    private readonly inspector: ModelInspector,
    private readonly now: () => number = Date.now,
  ) {}

  /** The estimate if known; null while unknown or being computed. */
  known(source: string): ModelFit | null {
    return this.entries.get(source)?.fit ?? null
  }

  /** The estimate, computing it if needed. Never throws: a failure is an `unknown` fit with the reason. */
  estimate(source: string): Promise<ModelFit> {
    const entry = this.entries.get(source)
    if (entry?.pending) return entry.pending
    if (entry?.fit && (entry.fit.kind !== 'unknown' || this.now() - entry.failedAt < RETRY_FAILED_MS)) {
      return Promise.resolve(entry.fit)
    }
    const next: Entry = { fit: entry?.fit ?? null, pending: null, failedAt: 0 }
    next.pending = this.inspector
      .inspect(source)
      .catch((error: unknown) => {
        next.failedAt = this.now()
        return unknownFit(fitFailureNote(source, error))
      })
      .then((fit) => {
        next.fit = fit
        next.pending = null
        return fit
      })
    this.entries.set(source, next)
    return next.pending
  }

  /** Records that a source cannot be estimated now (e.g. the network is down), without asking the engine. */
  markUnknown(source: string, note: string): void {
    this.entries.set(source, { fit: unknownFit(note), pending: null, failedAt: this.now() })
  }

  /** Forgets an estimate (the file changed or went away). */
  forget(source: string): void {
    this.entries.delete(source)
  }

  /** The machine, asked once per run. */
  hardware(): Promise<HardwareInfo> {
    this.hardwarePromise ??= this.inspector.hardware().catch((error: unknown) => {
      this.hardwarePromise = null
      throw error
    })
    return this.hardwarePromise
  }
}

/** A fit that could not be estimated, with why. */
export function unknownFit(note: string): ModelFit {
  return { kind: 'unknown', gpuLayers: 0, totalLayers: 0, contextSize: 0, ramBytes: 0, vramBytes: 0, note }
}

/** A header that could not be fetched for network reasons reads as offline; the library's words ("fetch failed") stay here. */
const NETWORK_FAILURE =
  /fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|timed? ?out|aborted|socket/i

function fitFailureNote(source: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  if (/^https?:\/\//i.test(source) && NETWORK_FAILURE.test(message)) return offlineNote(source)
  return message
}

/** The note of a fit not known because the model host could not be reached. */
export function offlineNote(source: string): string {
  let host = 'the model host'
  try {
    host = new URL(source).host
  } catch {
    // Not a URL: the generic words do.
  }
  return `${OFFLINE_FIT_NOTE} ${host} could not be reached, so whether it fits is not known yet.`
}
