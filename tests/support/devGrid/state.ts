import { randomUUID } from 'node:crypto'
import type { Reply } from './errors.js'
import { referenceReward } from './reward.js'
import type { AipgRecords, CannedReply, DevGridEvent, DevGridOptions, Faults, HordeRecords, RewardInput } from './types.js'

export const HORDE_VERSION = '5.1.5'
export const ANON_KEY = '0000000000'

export interface Account {
  key: string
  user: string
  scopes: string[]
  /** The account's payout wallet as the console stores it; '' when none is set. */
  payoutWallet: string
}

export type ResolvedOptions = Required<Omit<DevGridOptions, 'reward' | 'onEvent'>> & {
  reward: (job: RewardInput) => number
  onEvent: (event: DevGridEvent) => void
}

export function resolveOptions(options: DevGridOptions): ResolvedOptions {
  return {
    port: options.port ?? 0,
    mode: options.mode ?? 'both',
    keys: options.keys ?? { 'dev-key-alice': { user: 'alice#1', scopes: ['worker.connect'] } },
    ownedNames: options.ownedNames ?? {},
    pingIntervalMs: options.pingIntervalMs ?? 10_000,
    reward: options.reward ?? ((job) => referenceReward(job.tokens, job.promptTokens)),
    hordeTtlSeconds: options.hordeTtlSeconds ?? 150,
    hordeRateLimitPerSecond: options.hordeRateLimitPerSecond ?? 60,
    aipgRegistrationTimeoutMs: options.aipgRegistrationTimeoutMs ?? 30_000,
    aipgFrameTimeoutMs: options.aipgFrameTimeoutMs ?? 300_000,
    aipgStrikeLimit: options.aipgStrikeLimit ?? 6,
    requireWorkerIdentity: options.requireWorkerIdentity ?? false,
    workerEnrollment: options.workerEnrollment ?? false,
    onEvent: options.onEvent ?? (() => undefined),
  }
}

/** The fault knobs. `down` is an accessor so that switching it on can cut live sockets. */
export class FaultKnobs implements Faults {
  hordePop: CannedReply[] = []
  hordeSubmit: CannedReply[] = []
  hordeAsync: CannedReply[] = []
  hordeStatus: CannedReply[] = []
  aipgChat: CannedReply[] = []
  dropAfterTokens: number | null = null
  cancelAfterTokens: number | null = null
  private isDown = false
  private onDown: () => void = () => undefined

  get down(): boolean {
    return this.isDown
  }

  set down(value: boolean) {
    this.isDown = value
    if (value) this.onDown()
  }

  whenDown(handler: () => void): void {
    this.onDown = handler
  }
}

/** State both protocols share: accounts, worker-name ownership, earnings and the records. */
export class GridState {
  readonly requests: Array<{
    at: number
    method: string
    path: string
    /** The apikey header or Bearer token sent, if any. */ credential: string | null
  }> = []
  readonly aipg: AipgRecords = {
    registrations: [],
    frames: [],
    results: new Map(),
    pongs: 0,
    strikes: new Map(),
    payouts: new Map(),
    rigs: new Map(),
    registry: null,
    ledger: [],
    enrollment: { enabled: false, ttlSeconds: 900, records: new Map() },
  }
  readonly horde: HordeRecords = { pops: [], submits: [] }
  readonly faults = new FaultKnobs()
  /** Worker name -> owning user and the id the name keeps across reconnects and networks. */
  private readonly names = new Map<string, { user: string; id: string }>()
  /** API keys activated by a device enrollment (§16.2), beside the configured ones. */
  readonly enrolledKeys = new Map<string, { user: string; scopes: string[]; payoutWallet?: string }>()
  /** User -> kudos / den earned here. */
  readonly earnings = new Map<string, number>()
  port = 0

  constructor(readonly options: ResolvedOptions) {
    for (const [name, user] of Object.entries(options.ownedNames)) {
      this.names.set(name, { user, id: randomUUID() })
    }
    this.aipg.enrollment.enabled = options.workerEnrollment
  }

  account(key: string | undefined): Account | undefined {
    if (!key) return undefined
    const entry = this.options.keys[key] ?? this.enrolledKeys.get(key)
    return entry ? { key, user: entry.user, scopes: entry.scopes, payoutWallet: entry.payoutWallet ?? '' } : undefined
  }

  accountOfUser(user: string): Account | undefined {
    const found = Object.entries(this.options.keys).find(([, entry]) => entry.user === user)
    return found ? { key: found[0], user, scopes: found[1].scopes, payoutWallet: found[1].payoutWallet ?? '' } : undefined
  }

  /** The name's id, claiming it for `user` when free; undefined when someone else owns it. */
  claimName(name: string, user: string): string | undefined {
    const owner = this.names.get(name)
    if (owner) return owner.user === user ? owner.id : undefined
    const id = randomUUID()
    this.names.set(name, { user, id })
    return id
  }

  ownerOf(name: string): string | undefined {
    return this.names.get(name)?.user
  }

  /** The next canned answer for pop or submit, removed from its queue. */
  takeCanned(queue: 'hordePop' | 'hordeSubmit' | 'hordeAsync' | 'hordeStatus' | 'aipgChat'): Reply | undefined {
    const canned = this.faults[queue].shift()
    if (!canned) return undefined
    const reply: Reply = { status: canned.status, body: canned.body }
    if (canned.raw !== undefined) reply.raw = canned.raw
    if (canned.headers) reply.headers = canned.headers
    return reply
  }

  credit(user: string, amount: number): void {
    this.earnings.set(user, (this.earnings.get(user) ?? 0) + amount)
  }

  reward(input: RewardInput): number {
    return this.options.reward(input)
  }

  emit(event: DevGridEvent): void {
    try {
      this.options.onEvent(event)
    } catch {
      // A faulty listener must not break the grid's handling of the worker.
    }
  }

  hordeNode(): string {
    return `devgrid:${this.port}:${HORDE_VERSION}`
  }
}

/** Numeric id from "alias#id", as the horde shows users. */
export function userId(user: string): number {
  const id = Number(user.split('#').at(-1))
  return Number.isInteger(id) ? id : 0
}
