import type { PauseInfo, ThermalSettings } from '../../shared/domain.js'
import { DEFAULT_THERMAL } from '../../shared/miningPolicySchema.js'
import { Emitter } from '../lib/emitter.js'
import type { GpuReader, GpuReading } from '../lib/gpuReadings.js'

/** A GPU is looked at this often while mining. */
export const THERMAL_POLL_MS = 10_000

/** What the guard tells: each reading (metrics, alerts) and each time it starts or stops holding mining. */
export interface ThermalEvents {
  reading: GpuReading[] | null
  hot: { hot: boolean; temperatureC: number | null; limitC: number }
}

/**
 * Holds mining while the hottest GPU is at or above the pause limit, until it cools below the resume limit
 * (hysteresis, so a GPU hovering at the limit does not flap). No reading never holds mining.
 */
export class ThermalGuard {
  private settings: ThermalSettings = DEFAULT_THERMAL
  private hot = false
  private last: GpuReading[] | null = null
  private timer: NodeJS.Timeout | null = null
  private reading: Promise<void> | null = null
  private readonly events: Emitter<ThermalEvents>

  constructor(
    private readonly reader: GpuReader,
    private readonly pollMs = THERMAL_POLL_MS,
    log?: (line: string) => void,
  ) {
    this.events = new Emitter(log)
  }

  setLimits(settings: ThermalSettings): void {
    this.settings = settings
    this.apply(this.last)
  }

  /** Reads now and then every poll (while mining). */
  start(): void {
    if (this.timer) return
    this.timer = setInterval(() => void this.sample(), this.pollMs)
    this.timer.unref?.()
    void this.sample()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  /** One reading; a read still under way is shared, so a slow tool never piles up processes. */
  sample(): Promise<void> {
    this.reading ??= this.reader
      .read()
      .catch(() => null)
      .then((readings) => {
        this.last = readings
        this.events.emit('reading', readings)
        this.apply(readings)
      })
      .finally(() => (this.reading = null))
    return this.reading
  }

  lastReading(): GpuReading[] | null {
    return this.last
  }

  pause(): PauseInfo | null {
    if (!this.hot) return null
    const temperature = hottest(this.last)
    const now = temperature === null ? '' : ` (${Math.round(temperature)} °C)`
    return {
      reason: 'thermal',
      message: `Paused because the GPU is too hot${now}; mining resumes below ${this.settings.resumeBelowC} °C.`,
      resumesAt: null,
    }
  }

  on<K extends keyof ThermalEvents & string>(name: K, listener: (payload: ThermalEvents[K]) => void): () => void {
    return this.events.on(name, listener)
  }

  private apply(readings: GpuReading[] | null): void {
    const temperature = hottest(readings)
    const { enabled, pauseAboveC, resumeBelowC } = this.settings
    const before = this.hot
    if (!enabled || temperature === null) this.hot = false
    else if (!this.hot && temperature >= pauseAboveC) this.hot = true
    else if (this.hot && temperature < resumeBelowC) this.hot = false
    if (this.hot !== before) this.events.emit('hot', { hot: this.hot, temperatureC: temperature, limitC: pauseAboveC })
  }
}

function hottest(readings: GpuReading[] | null): number | null {
  const temperatures = (readings ?? []).flatMap((reading) => (reading.temperatureCelsius === null ? [] : [reading.temperatureCelsius]))
  return temperatures.length === 0 ? null : Math.max(...temperatures)
}
