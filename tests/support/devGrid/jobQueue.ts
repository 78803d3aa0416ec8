import { randomUUID } from 'node:crypto'

/** A requester's text request on the horde (a WaitingPrompt): one payload, n procgens. */
export interface HordeRequest {
  id: string
  models: string[]
  /** Payload as a worker receives it, minus `n` (defaults filled, prompt included). */
  payload: Record<string, unknown>
  nsfw: boolean
  /** Procgen ids not handed out yet; a faulted or stale procgen adds a fresh one. */
  waiting: string[]
  /** Requests live 20 minutes, refreshed by each pop (§7). */
  expiresAt: number
  /** Texts submitted for it, for a requester's `status/{id}` (chat through the horde). */
  generations: Array<{ text: string; worker: string; model: string; state: string }>
  /** A requester deleted it: nothing more is handed out. */
  cancelled: boolean
}

const REQUEST_LIFETIME_MS = 20 * 60_000

/** One generation handed to a worker (a ProcessingGeneration). */
export interface Procgen {
  id: string
  request: HordeRequest
  worker: string
  user: string
  model: string
  poppedAt: number
  state: 'processing' | 'done' | 'faulted' | 'aborted'
}

export interface HordeCapabilities {
  models: string[]
  max_length: number
  max_context_length: number
  nsfw: boolean
  amount: number
}

export type HordePopResult = { request: HordeRequest; ids: string[]; model: string } | { skipped: Record<string, number> }

/** Requests in arrival order; a requeued procgen keeps its request's place, as `wp.n += 1` does. */
export class HordeQueue {
  private readonly requests: HordeRequest[] = []
  readonly procgens = new Map<string, Procgen>()

  add(models: string[], payload: Record<string, unknown>, n: number, nsfw: boolean): string[] {
    return [...this.addRequest(models, payload, n, nsfw).waiting]
  }

  /** Queues a request and returns it (its id is what a requester polls). */
  addRequest(models: string[], payload: Record<string, unknown>, n: number, nsfw: boolean): HordeRequest {
    const waiting = Array.from({ length: n }, () => randomUUID())
    const expiresAt = Date.now() + REQUEST_LIFETIME_MS
    const request: HordeRequest = { id: randomUUID(), models, payload, nsfw, waiting, expiresAt, generations: [], cancelled: false }
    this.requests.push(request)
    return request
  }

  /** A live request by its id, and how many requests with work left are ahead of it. */
  find(id: string): { request: HordeRequest; ahead: number } | undefined {
    this.expire(Date.now())
    const index = this.requests.findIndex((request) => request.id === id)
    if (index < 0) return undefined
    const ahead = this.requests.slice(0, index).filter((request) => request.waiting.length > 0).length
    return { request: this.requests[index]!, ahead }
  }

  /** Procgens of a request by state. */
  procgensOf(request: HordeRequest): Procgen[] {
    return [...this.procgens.values()].filter((procgen) => procgen.request === request)
  }

  pending(): number {
    this.expire(Date.now())
    return this.requests.reduce((sum, request) => sum + request.waiting.length, 0)
  }

  pop(worker: HordeCapabilities, identity: { name: string; user: string }, now: number): HordePopResult {
    const skipped: Record<string, number> = {}
    const skip = (reason: string) => (skipped[reason] = (skipped[reason] ?? 0) + 1)
    this.expire(now)
    for (const request of this.requests) {
      if (request.waiting.length === 0) continue
      const model = request.models.length ? worker.models.find((candidate) => request.models.includes(candidate)) : worker.models[0]
      if (model === undefined) {
        skip('models')
        continue
      }
      if (worker.max_context_length < Number(request.payload.max_context_length)) {
        skip('max_context_length')
        continue
      }
      if (worker.max_length < Number(request.payload.max_length)) {
        skip('max_length')
        continue
      }
      if (request.nsfw && !worker.nsfw) {
        skip('nsfw')
        continue
      }
      request.expiresAt = now + REQUEST_LIFETIME_MS
      const ids = request.waiting.splice(0, Math.min(worker.amount, request.waiting.length))
      for (const id of ids) {
        this.procgens.set(id, {
          id,
          request,
          worker: identity.name,
          user: identity.user,
          model,
          poppedAt: now,
          state: 'processing',
        })
      }
      return { request, ids, model }
    }
    return { skipped }
  }

  /** Puts a fresh procgen id back on the request; returns it. */
  requeue(request: HordeRequest): string {
    const id = randomUUID()
    request.waiting.push(id)
    return id
  }

  /** Drops expired requests; their procgens go with them, as the horde's cascade delete does. */
  private expire(now: number): void {
    for (let index = this.requests.length - 1; index >= 0; index--) {
      const request = this.requests[index]!
      if (request.expiresAt > now) continue
      this.requests.splice(index, 1)
      for (const [id, procgen] of this.procgens) {
        if (procgen.request === request) this.procgens.delete(id)
      }
    }
  }

  /** Aborts procgens older than the TTL (the horde's background thread); returns them. */
  sweep(now: number, ttlMs: number): Procgen[] {
    const aborted: Procgen[] = []
    for (const procgen of this.procgens.values()) {
      if (procgen.state === 'processing' && now - procgen.poppedAt > ttlMs) {
        procgen.state = 'aborted'
        this.requeue(procgen.request)
        aborted.push(procgen)
      }
    }
    return aborted
  }
}

/** Someone waiting on an AIPG job's stream: the chat-completions route. */
export interface AipgJobListener {
  onToken(frame: Record<string, unknown>): void
  onDone(frame: Record<string, unknown>): void
  onError(message: string, clientError: boolean): void
}

export interface AipgJob {
  id: string
  /** The model the requester asked for; undefined means any model. */
  model?: string
  request: Record<string, unknown>
  seed: number
  /** Requeues after a failed generation that streamed nothing; the grid gives up after 2. */
  generationRequeues: number
  /** Workers that already struck on this job, so a poison job counts once per worker. */
  struck: Set<string>
  listener?: AipgJobListener
}

export class AipgQueue {
  private readonly jobs: AipgJob[] = []

  add(job: AipgJob): void {
    this.jobs.push(job)
  }

  /** A job that failed or lost its worker goes back to the front: it was first in line. */
  requeue(job: AipgJob): void {
    this.jobs.unshift(job)
  }

  /** Removes and returns the first job `accepts` takes. */
  take(accepts: (job: AipgJob) => boolean): AipgJob | undefined {
    const index = this.jobs.findIndex(accepts)
    return index < 0 ? undefined : this.jobs.splice(index, 1)[0]
  }

  remove(id: string): boolean {
    const index = this.jobs.findIndex((job) => job.id === id)
    if (index >= 0) this.jobs.splice(index, 1)
    return index >= 0
  }

  list(): readonly AipgJob[] {
    return this.jobs
  }
}
