import { HttpError } from './http.js'

/**
 * Admission for API generations: up to `maxActive` at once, up to `maxQueued` waiting in order, and a
 * 429 with Retry-After beyond that, so a flood of requests cannot pile up without bound.
 */
export class RequestQueue {
  private active = 0
  private readonly waiting: Array<() => void> = []

  constructor(
    private readonly maxActive: number,
    private readonly maxQueued: number,
  ) {}

  /** Waits for a turn; returns the release function. Throws 429 when the queue is full. */
  async acquire(signal: AbortSignal): Promise<() => void> {
    if (this.active >= this.maxActive) {
      if (this.waiting.length >= this.maxQueued) {
        throw new HttpError(429, 'Too many requests are waiting for the model; retry shortly.', 'rate_limit_error', null, {
          'Retry-After': '2',
        })
      }
      await new Promise<void>((resolve, reject) => {
        const turn = () => {
          signal.removeEventListener('abort', leave)
          resolve()
        }
        const leave = () => {
          const index = this.waiting.indexOf(turn)
          if (index >= 0) this.waiting.splice(index, 1)
          reject(new HttpError(499, 'The client went away.'))
        }
        this.waiting.push(turn)
        signal.addEventListener('abort', leave, { once: true })
      })
    } else {
      this.active++
    }
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiting.shift()
      if (next) next()
      else this.active--
    }
  }

  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length }
  }
}
