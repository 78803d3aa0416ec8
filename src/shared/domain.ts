import type { ConversationSettings } from './chatSettings.js'
import type { FinishReason } from './generation.js'

/** Where a message stands. `interrupted` means the app stopped (crash, kill) while it was streaming. */
export type MessageState = 'complete' | 'streaming' | 'stopped' | 'interrupted' | 'error'

/** Who wrote a message. */
export type MessageRole = 'user' | 'assistant' | 'system'

/** One message of a conversation as the UI sees it. */
export interface Message {
  id: string
  conversationId: string
  role: MessageRole
  content: string
  state: MessageState
  /** Set when `state` is `error`: what went wrong, in one sentence. */
  error: string | null
  /**
   * The model that wrote an assistant message: the file name of a local model, or the grid's model name.
   * What the UI shows comes from this and `backend` (`replyLabel`), never the other way round.
   */
  model: string | null
  /** Which backend wrote an assistant message; absent for the user's messages and for imported replies. */
  backend?: ReplyBackend
  /** The grid's URL origin (scheme, host, port) a grid reply came from, where it was recorded. */
  gridOrigin?: string
  /** The model's thinking before a reply, kept apart from `content` and never sent back to a model. */
  reasoning?: string
  /** How long the model thought, in milliseconds ("Thought for 4 s"); absent while unknown. */
  reasoningMs?: number
  createdAt: number
  updatedAt: number
  /** The message this one answers or follows; null for the first. Versions share a parent. */
  parentId?: string | null
  /** Older messages no longer fit the model's context and were left out when this reply was written. */
  contextShifted?: boolean
  /** How a finished reply was written (its speed and why it ended); absent for other messages. */
  stats?: ReplyStats
}

/** What a reply's line of stats says: "12.3 tokens/s · 96 tokens · hit the length limit". */
export interface ReplyStats {
  /** Tokens generated; 0 where the backend does not count them (the AI Horde). */
  tokens: number
  durationMs: number
  finishReason: FinishReason
}

/** A conversation in the list, without its messages. */
export interface ConversationSummary {
  id: string
  title: string
  createdAt: number
  updatedAt: number
}

/** A conversation with its messages in order. */
export interface Conversation extends ConversationSummary {
  /** The active path through the conversation's tree of versions and branches, first to last. */
  messages: Message[]
  /** How it answers: system prompt, sampling, context size, model. */
  settings?: ConversationSettings
  /**
   * For each message on the path that has other versions (regenerated replies, edited messages): the ids
   * of all its versions, oldest first. Messages with a single version are absent.
   */
  versions?: Record<string, string[]>
  /**
   * Messages on the active path before `messages`: a long conversation opens at its latest page and
   * loads earlier ones on request (`chat.older`). Absent or 0 when `messages` starts at the beginning.
   */
  olderMessages?: number
}

/** Earlier messages of a conversation's active path, just before the ones already shown. */
export interface MessagePage {
  messages: Message[]
  versions: Record<string, string[]>
  /** Messages on the active path before these. */
  olderMessages: number
}

/** One search hit: a message (or the title when `messageId` is null), with the matching words marked. */
export interface ChatSearchHit {
  conversationId: string
  title: string
  messageId: string | null
  /** The snippet in pieces; `hit` pieces are the matched words. Plain text, never HTML. */
  snippet: Array<{ text: string; hit: boolean }>
  updatedAt: number
}

/** What happens when a message is sent: both rows exist in the store before generation starts. */
export interface SendResult {
  conversation: ConversationSummary
  userMessage: Message
  assistantMessage: Message
}

export type { LocalModel } from './models.js'

/** The engine's life cycle as shown to the user. */
export type EngineState = 'starting' | 'idle' | 'loading' | 'ready' | 'unloading' | 'restarting'

/** What is known about the loaded model. */
export interface LoadedModel {
  path: string
  fileName: string
  sizeBytes: number
  architecture: string | null
  /** What the GGUF header calls the model (`general.name`, `general.basename` with `general.size_label`); matched against AIPG's registry. */
  ggufNames?: string[]
  contextSize: number
  /** True when the GGUF has a chat template; otherwise chat is plain text continuation. */
  hasChatTemplate: boolean
  gpuLayers: number
  threads: number
  /** The smaller model of the same family that drafts chat replies ("Speeding up with …"); absent: none. */
  draft?: string
  /** Why a draft model that is present is not used, in one sentence; absent when nothing to say. */
  draftNote?: string
}

/** The one snapshot of the engine that the host keeps and pushes on every change. */
export interface EngineSnapshot {
  state: EngineState
  /** `null` on CPU-only machines and before the engine has started. */
  gpu: string | null
  model: LoadedModel | null
  /** Model file being loaded and its progress from 0 to 1. */
  loading: { path: string; progress: number } | null
  /** The last problem worth telling the user about, in one sentence; cleared by the next success. */
  notice: string | null
  /** How many times the engine process was restarted after dying. */
  restarts: number
}

/** A batch of text appended to a streaming reply. Tokens are coalesced, not sent one by one. */
export interface ChatDelta {
  conversationId: string
  messageId: string
  /** More of the reply's content (may be empty when only reasoning arrived). */
  text: string
  /** More of the model's thinking, when there is some. */
  reasoning?: string
  /** How long the model thought, on the first batch after its answer began. */
  reasoningMs?: number
}

/** Static facts about the running host. */
export interface AppInfo {
  version: string
  /** `desktop` inside Electron, `headless` behind `gridforge serve`. */
  shell: 'desktop' | 'headless'
  modelsDir: string
  /** Where the rotating log files are written; null when logs go to the terminal (headless). */
  logsDir: string | null
}

/** Which grid the miner works for. */
export type GridNetwork = 'aipg' | 'horde'

/**
 * Where a chat reply was written: the local model, a grid, or the inference server the user runs (bridge
 * mode, `server`). Stored with every reply as data.
 */
export type ReplyBackend = 'local' | GridNetwork | 'server'

/** What the miner is doing, in words the Earn view shows. */
export type EarnState = 'off' | 'connecting' | 'waiting' | 'working' | 'paused' | 'backoff' | 'stopping' | 'error'

/** A grid job running now. Never carries job text. */
export interface RunningJob {
  jobId: string
  network: GridNetwork
  model: string
  tokens: number
  startedAt: number
}

/** The miner's settings (the API key is kept apart, as a secret). */
export interface EarnSettings {
  network: GridNetwork
  /** Empty for the network's production grid. */
  gridUrl: string
  workerName: string
  /** Jobs at once; null: the count a short measurement chose for this PC and model (see SlotChoice). */
  slots: number | null
  maxLength: number
  maxContextLength: number
}

/** The one snapshot of the miner that the host keeps and pushes on every change. */
export interface EarnSnapshot {
  state: EarnState
  /** What is happening or what went wrong, with how to fix it, in one sentence. */
  detail: string | null
  settings: EarnSettings
  /** Last four characters of the stored API key for the chosen network; the key itself never leaves the host. */
  apiKeyLastFour: string | null
  /** A key is saved but was checked against another grid than the one configured: it is not sent until checked again. */
  apiKeyNeedsCheck: boolean
  /** How the host keeps the key: encrypted with the OS keychain (desktop) or in a private 0600 file (headless). */
  apiKeyStorage?: 'encrypted' | 'private-file'
  running: RunningJob[]
  /**
   * `endedAt` is set when mining stops, so the uptime of the last run stays readable. `unreachableMs` and
   * `unreachableSince` are the time the grid could not be reached (backoff), which is not uptime.
   */
  sinceStart: {
    startedAt: number | null
    endedAt: number | null
    jobs: number
    tokens: number
    rewards: number
    unreachableMs: number
    unreachableSince: number | null
  }
  /** The miner reduced to what a tray icon shows. */
  status: EarnStatus
  /** When to mine: idle, battery, schedule, local-use cooldown. */
  policy: MiningPolicySettings
  /** Why no new grid jobs are taken right now; null while the policies allow mining. */
  pause: PauseInfo | null
  /** The account's totals as the grid reports them. */
  account: AccountTotals
  /** What the loaded model earns on AIPG by the name it is advertised under; null with no model loaded. */
  modelRate?: ModelRate | null
  /** The slots the miner runs (or last ran) with, and whether they were measured for this PC; null before the first Start. */
  slots?: SlotChoice | null
}

/**
 * The slot count a miner runs with: the user's setting, or the count a calibration on this PC chose
 * (aggregate tokens/s at each count measured, fewest slots unless more clearly win).
 */
export interface SlotChoice {
  slots: number
  /** `unmeasured`: no setting, and a chat or API request cancelled the calibration; this run has one slot. */
  source: 'setting' | 'calibrated' | 'unmeasured'
  measurements: Array<{ slots: number; tokensPerSecond: number }>
}

/** The den multiplier the loaded model earns on AIPG, looked up by its exact advertised name (grid-protocol.md §16.5). */
export interface ModelRate {
  /** The loaded file this rate is for. */
  path: string
  /** The name the model is advertised under on AIPG. */
  advertisedName: string
  /** 1 for a name the registry does not list. */
  multiplier: number
  registered: boolean
  /** Why the shipped registry file was not used, in one sentence; null when it was. */
  registryProblem: string | null
}

/** idle (not mining), mining (connected or working), paused (a policy holds it), error (stopped by a problem). */
export type EarnStatus = 'idle' | 'mining' | 'paused' | 'error'

/**
 * Hours of the week when mining is allowed. `days` are 0 (Sunday) to 6; the window starts on those days
 * at `startHour` and ends at `endHour` (24 = midnight); an end at or before the start runs past midnight
 * into the next day (22 to 6). Host local time.
 */
export interface ScheduleWindow {
  days: number[]
  startHour: number
  endHour: number
}

/** The policies the host applies before taking each grid job. */
export interface MiningPolicySettings {
  /** Mine only after the PC has been idle this many minutes; 0 mines whatever the user does. */
  idleMinutes: number
  pauseOnBattery: boolean
  /** When enabled, mine only inside one of the windows. */
  schedule: { enabled: boolean; windows: ScheduleWindow[] }
  /** Seconds after the last local chat or API request before grid jobs resume. */
  localCooldownSeconds: number
  /** The thermal guard; absent in policies saved before it existed (then `DEFAULT_THERMAL`). */
  thermal?: ThermalSettings
}

/** Pause taking jobs at or above `pauseAboveC` (the hottest GPU), resume once below `resumeBelowC`. */
export interface ThermalSettings {
  enabled: boolean
  pauseAboveC: number
  resumeBelowC: number
}

/** Why mining is paused. */
export type PauseReason = 'local-use' | 'user-active' | 'battery' | 'schedule' | 'thermal'

/** A pause, in words for the Earn view. */
export interface PauseInfo {
  reason: PauseReason
  /** "Paused by schedule (resumes Mon 22:00)". */
  message: string
  /** When mining may resume if nothing changes; null when unknown (battery). */
  resumesAt: number | null
}

/** Totals the grid keeps for the account of the stored API key. */
export interface AccountTotals {
  state: 'unknown' | 'ok' | 'unavailable'
  /** What the grid knows: username, earned rewards, completed jobs, workers; null unless `ok`. */
  totals: {
    user: string | null
    rewards: number
    jobs: number
    workers: number
    workersOnline: number
    balance: number | null
    /** Each rig (worker) of the account as the grid lists it; absent from grids or versions that did not say. */
    rigs?: AccountRig[]
  } | null
  /** Why totals are missing, in one sentence. */
  message: string | null
  checkedAt: number | null
  /** AIPG: the grid's word on each recent job (signed, result hash), matched to the ledger by job id; null when unknown. */
  jobs?: AccountJobMark[] | null
  /** AIPG: accrued and paid AIPG with each payout; null when unknown or the grid did not answer. */
  payouts?: AccountPayouts | null
}

/** One worker of the account: AIPG `GET /v1/account/workers`, the Horde's `workers/{id}`. */
export interface AccountRig {
  name: string
  online: boolean
  /** When the grid last heard from it (ms since the epoch); null when the grid does not say. */
  lastSeen: number | null
  /** The model names it advertised; empty when the grid does not say. */
  models: string[]
  /** Den (AIPG) or kudos (Horde) the grid credits it with; null when the grid does not say. */
  rewards: number | null
  /** Jobs the grid counts for it; null when the grid does not say. */
  jobs: number | null
  /** Set on the grid by its owner: it takes no jobs until cleared. */
  maintenance: boolean
  /** Decode speed the grid measured (the Horde's `performance`); null when the grid does not say. */
  tokensPerSecond: number | null
}

/** What `GET /v1/account/jobs` says of one job: never its prompt or its text. */
export interface AccountJobMark {
  jobId: string
  /** True only when the grid verified the worker's signature (§16.1). */
  signed: boolean
  /** sha256 hex of the job's text as the grid computed it. */
  resultHash: string | null
}

/** One settlement of `GET /v1/account/payouts` (hourly, on Base). */
export interface Payout {
  periodId: string
  den: number
  aipg: number
  /** The grid's word: pending, sent, confirmed, failed, … */
  status: string
  /** The on-chain transaction, 0x-hex; null until sent. */
  txHash: string | null
  /** The wallet paid. */
  address: string | null
}

/** Accrued (not yet paid) and paid AIPG, with the payouts the grid lists. */
export interface AccountPayouts {
  accruedAipg: number
  paidAipg: number
  payouts: Payout[]
}

/** How far back the earnings chart looks. */
export type HistoryRange = '24h' | '7d' | '30d'

/** One bar of the earnings chart: jobs, tokens and rewards of the ledger in [start, start + bucket). */
export interface HistoryBucket {
  start: number
  jobs: number
  tokens: number
  /** Per network, in its own unit (AIPG den, Horde kudos): never added together. */
  rewards: Record<GridNetwork, number>
}

/** Rewards and jobs over a range, bucketed by hour (24 h) or by local day (7 d, 30 d). */
export interface EarnHistory {
  range: HistoryRange
  bucket: 'hour' | 'day'
  buckets: HistoryBucket[]
}

/** How a grid job ended, as recorded in the ledger. */
export type JobState = 'ok' | 'cancelled' | 'faulted' | 'error' | 'dropped'

/** One grid job as the ledger keeps it: counts and outcome, never the prompt or the output. */
export interface JobRecord {
  network: GridNetwork
  jobId: string
  model: string
  promptTokens: number
  completionTokens: number
  durationMs: number
  tokensPerSecond: number
  /** Reward from the grid (Horde kudos, AIPG den); null until the grid has settled it. */
  reward: number | null
  state: JobState
  /** One sentence when the job did not end `ok`; never job text. */
  error: string | null
  startedAt: number
  finishedAt: number
}

/** One finished grid job, as the job log shows it. */
export type JobLogEntry = Omit<JobRecord, 'startedAt'>

/** Settings of the local OpenAI/KoboldAI API. */
export interface LocalApiSettings {
  enabled: boolean
  host: string
  port: number
  /** Web origins allowed to call the API from a browser (CORS); empty means none. */
  corsOrigins: string[]
}

/** The local API as Settings shows it. Its token is for the user's other apps, so the UI may show it. */
export interface LocalApiSnapshot {
  settings: LocalApiSettings
  running: boolean
  url: string | null
  token: string | null
  /** Set when the API listens beyond this machine. */
  warning: string | null
  error: string | null
}

/** Start at login (desktop only; off unless the user turns it on). */
export interface LoginItemSettings {
  openAtLogin: boolean
  /** Start in the tray without showing the window. */
  startHidden: boolean
  /** Start earning right away when started at login. */
  startEarning: boolean
}

/** Where the self-updater stands, in the words the UI shows. */
export type UpdateState = 'disabled' | 'idle' | 'checking' | 'up-to-date' | 'downloading' | 'ready' | 'waiting-for-idle' | 'error'

/** The self-updater as the UI and the tray show it. */
export interface UpdateSnapshot {
  state: UpdateState
  /** The version being downloaded or ready to install. */
  version: string | null
  /** Download progress from 0 to 1 while `downloading`. */
  progress: number | null
  /** Why updates are off, what the updater is waiting for, or what went wrong, in one sentence. */
  detail: string | null
  lastCheckedAt: number | null
}

/** Something this desktop cannot do that changes how GridForge behaves on it, with the sentence that says so. */
export interface DesktopNotice {
  kind: 'no-tray-host' | 'idle-unavailable' | 'appimage-sandbox'
  message: string
}

/** What only the desktop app has: start at login, self-update, spellcheck and notes about this desktop. */
export interface DesktopSnapshot {
  loginItem: LoginItemSettings
  update: UpdateSnapshot
  /** Spellcheck while typing; off until the user turns it on (on Windows and Linux it downloads dictionaries from Google). */
  spellcheck: boolean
  notices: DesktopNotice[]
}
