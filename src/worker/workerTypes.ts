import type { WorkerSigner } from '../grid/identity/workerSigner.js'
import type { GridTransport } from './gridTransport.js'
import type { Clock, GenerationEngine, JobGate, JobLedger, JobRecord, Logger, Network } from './ports.js'

/** Everything the worker needs to know. */
export interface WorkerConfig {
  network: Network
  gridUrl: string
  apiKey: string
  name: string
  /** Model names advertised to the grid. */
  models: string[]
  slots: number
  maxLength: number
  maxContextLength: number
  /** Stop after this many jobs (CLI `--max-jobs`). */
  maxJobs?: number | null
  /** `GridForge:<version>:<url>`: the pop's bridge_agent and the Client-Agent header. */
  agent: string
  nsfw?: boolean
  /** Extra CA (PEM) trusted for the AIPG worker socket only. */
  extraCa?: string
  /** How long a graceful stop waits for jobs in flight before cancelling them. */
  graceMs?: number
  /** How often an idle Horde slot asks for work. */
  idlePollMs?: number
}

/** What the worker is doing, for status lines and the Earn view. */
export type WorkerState = 'connecting' | 'waiting' | 'working' | 'paused' | 'backoff' | 'stopping' | 'stopped'

/** Everything the worker reports. Never contains job text. */
export type WorkerEvent =
  /** `detail` is the sentence to show; `problem`, on backoff, is what went wrong without when it retries. */
  | { type: 'state'; state: WorkerState; detail: string | null; problem?: string }
  | { type: 'job-started'; slot: number; network: Network; jobId: string; model: string }
  | { type: 'job-progress'; jobId: string; tokens: number }
  | { type: 'job-finished'; record: JobRecord }
  | { type: 'job-rewarded'; record: JobRecord }
  /** AIPG: the grid never acknowledged the answer (the socket closed or the wait ran out); no reward will come. */
  | { type: 'job-unacknowledged'; record: JobRecord }

/** How a run of the worker ended. */
export interface WorkerExit {
  reason: 'stopped' | 'max-jobs' | 'fatal'
  /** For `fatal`: what went wrong and what to do, in one sentence. */
  message: string | null
}

/** The ports the worker runs on. */
export interface WorkerPorts {
  engine: GenerationEngine
  ledger: JobLedger
  clock?: Clock
  logger?: Logger
  fetch?: typeof fetch
  gate?: JobGate
  /** The grid; by default the transport of `config.network`. */
  transport?: GridTransport
  /** The worker identity (§16.2): AIPG registrations carry its proof and `done` frames its signature. Without it, results go unsigned. */
  signer?: WorkerSigner
}
