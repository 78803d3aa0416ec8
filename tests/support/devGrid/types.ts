export type Network = 'aipg' | 'horde'

/** What the reward function is told about a settled job; `tokens` follows §12 for each network. */
export interface RewardInput {
  tokens: number
  /** Prompt size estimate the context multiplier uses. */
  promptTokens: number
  network: Network
  model: string
  id: string
}

export interface DevGridOptions {
  /** Default 0 (random). */
  port?: number
  /**
   * 'aipg': /api/v2/* answers 410 Gone (static text body), WS at /v1/workers/ws, REST /v1/*.
   * 'horde': /api/v2 REST works, no WS. 'both' (default): everything.
   */
  mode?: 'aipg' | 'horde' | 'both'
  /**
   * API keys the grid accepts: key -> account. Default { 'dev-key-alice': { user: 'alice#1', scopes: ['worker.connect'] } }.
   * `payoutWallet` is the account's payout wallet (set in the console): worker identities and signatures are checked
   * against it, and `GET /v1/account/jobs` lists the jobs paid to it. None by default, as on a fresh account.
   */
  keys?: Record<string, { user: string; scopes: string[]; payoutWallet?: string }>
  /** Worker names already owned by other accounts: name -> user, e.g. { 'taken-name': 'bob#2' } */
  ownedNames?: Record<string, string>
  /** AIPG idle ping interval, default 10000. */
  pingIntervalMs?: number
  /** Reward per job: horde `reward` in the submit answer, AIPG `ack.den`. Default: §12's formula, at least 0.1. */
  reward?: (job: RewardInput) => number
  /** Seconds a popped Horde job may take before it is aborted and requeued; default 150. */
  hordeTtlSeconds?: number
  /** Horde pop and submit limit per IP per second; default 60 like aihorde.net. */
  hordeRateLimitPerSecond?: number
  /** AIPG: how long a new socket may take to send its registration frame; default 30000. */
  aipgRegistrationTimeoutMs?: number
  /** AIPG: the longest silence allowed between frames while a job runs; default 300000. */
  aipgFrameTimeoutMs?: number
  /** AIPG: strikes (errors, empty completions) within 300 s that evict a worker; default 6. */
  aipgStrikeLimit?: number
  /** AIPG: refuse registrations without a worker identity (core's REQUIRE_WORKER_IDENTITY); default false, as core today. */
  requireWorkerIdentity?: boolean
  /** AIPG: device enrollment on (core's worker_enrollment_enabled); default false, as core today. `aipg.enrollment.enabled` switches it live. */
  workerEnrollment?: boolean
  /** Told about settled jobs and worker arrivals; the CLI prints these. Never carries prompts. */
  onEvent?: (event: DevGridEvent) => void
}

export type DevGridEvent =
  | {
      type: 'settled'
      network: Network
      id: string
      worker: string
      model: string
      /** ok / censored / csam / faulted (Horde); ok / cancelled / error / empty (AIPG). */
      state: string
      tokens: number
      reward: number
    }
  | { type: 'requeued'; network: Network; id: string; reason: string }
  | {
      type: 'worker'
      network: Network
      name: string
      change: 'joined' | 'left' | 'replaced' | 'evicted'
      models: string[]
    }

/** A canned answer for the fault queues. `raw` is sent verbatim; otherwise `body` is JSON. */
export interface CannedReply {
  status: number
  body?: unknown
  raw?: string
  headers?: Record<string, string>
}

export interface Faults {
  /** Canned answers used (and removed) one per request before normal handling. */
  hordePop: CannedReply[]
  hordeSubmit: CannedReply[]
  /** Chat-client side: canned answers to `generate/text/async` (e.g. 403 KudosUpfront, 429 TooManyPrompts). */
  hordeAsync: CannedReply[]
  /** Chat-client side: canned answers to AI Horde `GET generate/text/status/{id}` polls (e.g. 500). */
  hordeStatus: CannedReply[]
  /** Chat-client side: canned answers to AIPG `POST /v1/chat/completions` (e.g. 402, 429). */
  aipgChat: CannedReply[]
  /**
   * While true every HTTP request gets 503 with an HTML page and every WS upgrade is refused
   * with 503. Setting it also cuts the open AIPG sockets, as a dead server would.
   */
  down: boolean
  /** AIPG: terminate the socket right after the worker's Nth token frame of a job. Fires once, then resets to null. */
  dropAfterTokens: number | null
  /** AIPG: send {type:'cancel', id} after the worker's Nth token frame. Fires once, then resets to null. */
  cancelAfterTokens: number | null
}

/** A tool call as the grid merges it from `delta.tool_calls` pieces (by `index`, OpenAI's rules). */
export interface MergedToolCall {
  index: number
  id: string
  name: string
  arguments: string
}

export interface AipgResult {
  tokens: Array<Record<string, unknown>>
  /** `delta.content` of the latest attempt, joined. */
  text: string
  /** `delta.reasoning_content` of the latest attempt, joined. */
  reasoning: string
  /** `delta.tool_calls` merged by index; `id` and `name` keep the last non-empty value, `arguments` concatenate. */
  toolCalls: MergedToolCall[]
  /** The `done` frame's finish_reason, else the last token frame's, else what core infers (`tool_calls` if there were calls, else `stop`). */
  finishReason?: string
  /** Frames that broke §16.3 (a tool call without an id, a malformed tool_calls entry), one sentence each. */
  problems: string[]
  done?: Record<string, unknown>
  error?: Record<string, unknown>
  /** The `den` sent in the ack. */
  acked?: number
  /** sha256 hex of the settled `full_text` (core's result_hash); null for empty text. Set at settlement. */
  resultHash?: string | null
  /** Whether the `done`'s worker_sig verified (core's signed tier); a bad signature is unsigned, never refused. */
  signed?: boolean
  /** How many times the job was handed to a worker; tokens/done/error are from the latest. */
  attempts: number
  /** The connection that ran the latest attempt. */
  connection: number
  model: string
}

export interface AipgRecords {
  registrations: Array<Record<string, unknown>>
  /** Every frame after registration; one that is not a JSON object is kept as { malformed: text }. */
  frames: Array<{ connection: number; frame: Record<string, unknown> }>
  results: Map<string, AipgResult>
  pongs: number
  /** Worker name -> strikes within the last 300 s. */
  strikes: Map<string, number>
  /** Core's worker-payout ledger: one row per settled job, what `GET /v1/account/jobs` reads. */
  ledger: AipgLedgerRow[]
  /** User -> what `GET /v1/account/payouts` answers; a user without one gets nothing accrued or paid. */
  payouts: Map<string, DevPayouts>
  /** Device enrollments (§16.2): `enabled` switches the endpoints on (503 otherwise); records by enrollment id. */
  enrollment: { enabled: boolean; ttlSeconds: number; records: Map<string, DevEnrollment> }
  /**
   * User -> the account's rigs that are not connected to this grid (other machines), listed by
   * `GET /v1/account/workers` after the workers connected here; tests and the demo set them.
   */
  rigs: Map<string, DevRig[]>
  /** When set, served at `GET /v1/models/registry` (the registry core would publish); unset answers 404, as core does today. */
  registry: Record<string, number> | null
}

/** One device enrollment as core keeps it (grid-core `services/worker_enrollment.py`); the dev grid also keeps the key to add it. */
export interface DevEnrollment {
  id: string
  /** pending → prepared (console) → complete (approved) → activated (worker acked); denied: the owner refused. */
  status: 'pending' | 'prepared' | 'complete' | 'activated' | 'denied'
  createdAt: number
  /** Unix seconds; past it the enrollment is gone (404), as core's Redis TTL. Tests may move it. */
  expiresAt: number
  delegationId: string
  workerSigner: string
  workerName: string
  profileId: string
  apiKeyHash: string
  apiKey: string
  pollTokenHash: string
  validDays: number
  user: string | null
  payload: import('../../../src/grid/identity/delegation.js').DelegationPayload | null
  certificate: { payload: unknown; signature: string } | null
}

/** One worker as core's `GET /v1/account/workers` lists it (grid-core routers/accounts.py). */
export interface DevRig {
  name: string
  type: string
  models: string[]
  den_earned: number
  jobs_completed: number
  /** ISO time, or null when never seen. */
  last_seen: string | null
  maintenance: boolean
  online: boolean
}

/** Core's payouts answer (§16.6). */
export interface DevPayouts {
  accrued_aipg: number
  paid_aipg: number
  payouts: Array<{
    period_id: string
    den: number
    aipg: number
    status: string
    tx_hash: string | null
    address: string | null
    paid: boolean
  }>
}

/** One settled AIPG job as core's ledger keeps it: hashes only, never prompt or result text. */
export interface AipgLedgerRow {
  jobId: string
  worker: string
  /** The payout wallet at settlement, lower case ('' when the account had none). */
  wallet: string
  model: string
  den: number
  outputUnits: number
  durationS: number
  ttftS: number | null
  resultHash: string | null
  signed: boolean
  created: string
}

export interface HordeRecords {
  pops: Array<{
    at: number
    body: Record<string, unknown>
    headers: Record<string, string | undefined>
    status: number
    response: unknown
  }>
  submits: Array<{ at: number; body: Record<string, unknown>; status: number; response: unknown }>
}

export interface DevGrid {
  /** http://127.0.0.1:PORT (the "grid URL" a worker is given). */
  url: string
  /** ws://127.0.0.1:PORT/v1/workers/ws */
  wsUrl: string
  port: number
  /**
   * Queue an AIPG chat job (OpenAI chat-completions `request`; the grid adds a `seed` unless the
   * request has an integer one); returns the job id. Delivered to the next idle connection
   * advertising `model` (or any model when omitted). The request is not checked, so tests can
   * send a worker hostile values.
   */
  enqueueAipg(job: { model?: string; request: Record<string, unknown> }): string
  /**
   * Queue a Horde text request; returns the procgen ids that will be handed out (n of them; one
   * pop takes up to its `amount`). `payload` is the requester's params plus `prompt`; the
   * flask-restx defaults are filled in but the horde's range checks are not applied. A faulted or
   * timed-out procgen is replaced by a new id, as on the real horde. `nsfw` defaults to false.
   */
  enqueueHorde(job: { models?: string[]; payload: Record<string, unknown>; n?: number; nsfw?: boolean }): string[]
  /** Jobs waiting for a worker (Horde counts procgens not yet popped). */
  pendingJobs(): { aipg: number; horde: number }
  /** Terminates every AIPG socket (1006 on the worker's side); running jobs are requeued. */
  dropAipgConnections(): void
  /**
   * The console's approval of an enrollment (core: prepare, the owner's wallet signs, approve), for the account of
   * `apiKey` (default dev-key-alice) and its payout wallet; `sign` is the wallet. Resolves with the grid's answer.
   */
  approveEnrollment(id: string, sign: (message: string) => Promise<string>, apiKey?: string): Promise<{ status: number; body?: unknown }>
  /** The owner refuses the enrollment in the console: its poll answers `denied`. */
  denyEnrollment(id: string): void
  readonly aipg: AipgRecords
  readonly horde: HordeRecords
  /** Every HTTP request and WS connection attempt (method 'WS'), with a timestamp (ms). */
  readonly requests: Array<{
    at: number
    method: string
    path: string
    /** The apikey header or Bearer token sent, if any. */ credential: string | null
  }>
  readonly faults: Faults
  /** Resolves when predicate() is true (polls every 10 ms), rejects after timeoutMs (default 10000). */
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>
  close(): Promise<void>
}
