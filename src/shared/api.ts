import { z } from 'zod'
import type {
  AppInfo,
  ChatDelta,
  ChatSearchHit,
  Conversation,
  ConversationSummary,
  EarnHistory,
  DesktopSnapshot,
  EarnSnapshot,
  EngineSnapshot,
  JobLogEntry,
  LocalApiSnapshot,
  LocalModel,
  Message,
  MessagePage,
  SendResult,
} from './domain.js'
import { conversationSettingsSchema } from './chatSettings.js'
import { MAX_IMPORT_PIECE_CHARS, MAX_MESSAGE_CHARS, MAX_PATH_CHARS } from './limits.js'
import type { CatalogItem, DownloadSnapshot, HardwareInfo } from './models.js'
import { gridUrlProblem } from './gridUrl.js'
import { miningPolicySchema } from './miningPolicySchema.js'
import { chatBackendSchema, type GridModel, type ReplyProgress } from './gridChat.js'
import { modelChoiceSchema, type QuickStartSnapshot } from './quickStart.js'
import type { ReadinessSnapshot } from './readiness.js'
import type { AdvisorReport } from './advisor.js'
import {
  identityEnrollSchema,
  identityInstallSchema,
  identityRequestSchema,
  type IdentityRequest,
  type IdentityStatus,
} from './identity.js'
import type { Result } from './result.js'
import type { ImportProgressEvent, StorageStatus } from './storage.js'
import { alertConfigureSchema, type AlertSettingsView, type AlertTestResult } from './alerts.js'
import {
  bridgeConfigureSchema,
  bridgeSaveServersSchema,
  bridgeServerSchema,
  type BridgeServersView,
  type BridgeSettingsView,
  type BridgeTestResult,
  type FoundServer,
} from './bridge.js'
import { metricsSettingsSchema, type MetricsStatus } from './metricsSettings.js'
import type { EngineBuildStatus } from './engineBuild.js'

const id = z.string().min(1).max(64)
const none = z.strictObject({})

/**
 * Declares one call: its request schema (checked by the host on every request) and its result type.
 * The result type exists only for the compiler; nothing is sent for it.
 */
const call = <S extends z.ZodType>(request: S) => ({
  returns: <R>() => ({ request, result: undefined as unknown as R }),
})

/**
 * The contract: every call the renderer may make. Adding one here makes the compiler point at the host's
 * handler map and the preload's channel list until both have it.
 */
export const contract = {
  'app.info': call(none).returns<AppInfo>(),
  'models.listLocal': call(none).returns<LocalModel[]>(),
  'models.catalog': call(none).returns<CatalogItem[]>(),
  'models.hardware': call(none).returns<HardwareInfo>(),
  'models.downloads': call(none).returns<DownloadSnapshot[]>(),
  'models.download': call(
    z.strictObject({
      source: z.string().trim().min(1).max(2000),
      sha256: z
        .string()
        .trim()
        .regex(/^[0-9a-fA-F]{64}$/, '64 hexadecimal characters')
        .nullable(),
    }),
  ).returns<DownloadSnapshot>(),
  'models.pauseDownload': call(z.strictObject({ downloadId: id })).returns<DownloadSnapshot>(),
  'models.resumeDownload': call(z.strictObject({ downloadId: id })).returns<DownloadSnapshot>(),
  'models.cancelDownload': call(z.strictObject({ downloadId: id })).returns<{ cancelled: true }>(),
  'models.register': call(z.strictObject({ path: z.string().trim().min(1).max(MAX_PATH_CHARS) })).returns<{
    added: LocalModel[]
    skipped: Array<{ path: string; reason: string }>
  }>(),
  'models.remove': call(z.strictObject({ modelId: id.max(80) })).returns<{ fileDeleted: boolean }>(),
  'models.hfToken': call(none).returns<{ hasToken: boolean }>(),
  'models.setHfToken': call(
    z.strictObject({
      token: z
        .string()
        .trim()
        .regex(/^hf_\w{20,200}$/, 'a Hugging Face token starts with hf_')
        .nullable(),
    }),
  ).returns<{ hasToken: boolean }>(),
  'engine.status': call(none).returns<EngineSnapshot>(),
  'engine.load': call(z.strictObject({ path: z.string().min(1).max(MAX_PATH_CHARS) })).returns<EngineSnapshot>(),
  'engine.unload': call(none).returns<EngineSnapshot>(),
  /** Settings › Engine: the standard or the optimized engine, and "Optimize the engine for this PC". */
  'engine.buildStatus': call(none).returns<EngineBuildStatus>(),
  /** Starts building the engine for this PC in the background; its steps come as `engine.build`. */
  'engine.optimize': call(none).returns<EngineBuildStatus>(),
  /** Which engine the next engine start loads ("Use the standard engine" is the way back). */
  'engine.useBuild': call(z.strictObject({ flavor: z.enum(['standard', 'optimized']) })).returns<EngineBuildStatus>(),
  'chat.list': call(none).returns<ConversationSummary[]>(),
  /** Whether chat drafts with a smaller model of the loaded model's family (speculative decoding); applies at the next model load. */
  'chat.draftModel': call(none).returns<{ enabled: boolean }>(),
  'chat.setDraftModel': call(z.strictObject({ enabled: z.boolean() })).returns<{ enabled: boolean }>(),
  'chat.get': call(z.strictObject({ conversationId: id })).returns<Conversation>(),
  /** The messages of the active path just before `before` (the first one shown), latest last. */
  'chat.older': call(
    z.strictObject({ conversationId: id, before: id, limit: z.number().int().min(1).max(1000).optional() }),
  ).returns<MessagePage>(),
  'chat.delete': call(z.strictObject({ conversationId: id })).returns<{ deleted: boolean }>(),
  'chat.send': call(
    z.strictObject({
      conversationId: id.nullable(),
      text: z.string().trim().min(1).max(MAX_MESSAGE_CHARS),
      /** Settings of a new conversation (ignored for an existing one). */
      settings: conversationSettingsSchema.partial().optional(),
      /** Absent means the local model. */
      backend: chatBackendSchema.optional(),
      /** The user accepted that community workers will read this conversation (needed once per conversation). */
      gridNoticeAccepted: z.boolean().optional(),
    }),
  ).returns<SendResult>(),
  'chat.gridModels': call(z.strictObject({ network: z.enum(['aipg', 'horde']) })).returns<GridModel[]>(),
  'chat.stop': call(z.strictObject({ messageId: id })).returns<{ stopped: boolean }>(),
  'chat.rename': call(
    z.strictObject({ conversationId: id, title: z.string().trim().min(1, 'a title cannot be empty').max(200) }),
  ).returns<ConversationSummary>(),
  'chat.restore': call(z.strictObject({ conversationId: id })).returns<{ restored: boolean }>(),
  'chat.search': call(z.strictObject({ query: z.string().max(500) })).returns<ChatSearchHit[]>(),
  'chat.regenerate': call(z.strictObject({ messageId: id })).returns<Conversation>(),
  'chat.edit': call(z.strictObject({ messageId: id, text: z.string().trim().min(1).max(MAX_MESSAGE_CHARS) })).returns<Conversation>(),
  'chat.select': call(z.strictObject({ messageId: id })).returns<Conversation>(),
  'chat.deleteMessage': call(z.strictObject({ messageId: id })).returns<Conversation>(),
  'chat.updateSettings': call(z.strictObject({ conversationId: id, settings: conversationSettingsSchema })).returns<Conversation>(),
  'chat.export': call(z.strictObject({ conversationId: id.nullable(), format: z.enum(['json', 'markdown']) })).returns<{
    fileName: string
    mimeType: string
    text: string
  }>(),
  /** A file to import, sent in pieces so that no request frame exceeds MAX_REQUEST_BYTES. */
  'chat.import': call(
    z.strictObject({
      uploadId: id,
      index: z.number().int().min(0).max(100_000),
      text: z.string().max(MAX_IMPORT_PIECE_CHARS),
      last: z.boolean(),
    }),
  ).returns<{ imported: ConversationSummary[] | null }>(),
  /** Stops a running import; it keeps nothing from that file. */
  'chat.importCancel': call(z.strictObject({ uploadId: id })).returns<{ cancelled: boolean }>(),
  'earn.status': call(none).returns<EarnSnapshot>(),
  'earn.configure': call(
    z.strictObject({
      network: z.enum(['aipg', 'horde']),
      gridUrl: z
        .string()
        .max(500)
        .superRefine((url, ctx) => {
          const problem = gridUrlProblem(url)
          if (problem) ctx.addIssue({ code: 'custom', message: problem })
        }),
      workerName: z
        .string()
        .trim()
        .min(1)
        .max(100)
        .regex(/^[\w .@#-]+$/, 'letters, digits, space, . _ @ # - only'),
      slots: z.number().int().min(1).max(8).nullable(),
      maxLength: z.number().int().min(16).max(32_768),
      maxContextLength: z.number().int().min(256).max(1_048_576),
    }),
  ).returns<EarnSnapshot>(),
  'earn.setApiKey': call(
    z.strictObject({ network: z.enum(['aipg', 'horde']), apiKey: z.string().trim().min(8).max(512).regex(/^\S+$/) }),
  ).returns<EarnSnapshot>(),
  'earn.start': call(none).returns<EarnSnapshot>(),
  'earn.stop': call(none).returns<EarnSnapshot>(),
  'earn.jobs': call(z.strictObject({ limit: z.number().int().min(1).max(1000) })).returns<JobLogEntry[]>(),
  'earn.setPolicy': call(miningPolicySchema).returns<EarnSnapshot>(),
  'earn.history': call(z.strictObject({ range: z.enum(['24h', '7d', '30d']) })).returns<EarnHistory>(),
  'earn.refreshAccount': call(none).returns<EarnSnapshot>(),
  /** Whether the Earn view's first-run onboarding was finished or skipped. */
  'earn.onboarding': call(none).returns<{ done: boolean }>(),
  'earn.setOnboarding': call(z.strictObject({ done: z.boolean() })).returns<{ done: boolean }>(),
  /** Start earning in one press: download the model if needed, load it, connect, wait for the first job. */
  'earn.quickStart': call(z.strictObject({ model: modelChoiceSchema })).returns<QuickStartSnapshot>(),
  'earn.quickStartStatus': call(none).returns<QuickStartSnapshot>(),
  'earn.quickStartCancel': call(none).returns<QuickStartSnapshot>(),
  /** Runs the grid readiness self-test on the loaded model (the validators' families, locally). */
  'earn.readiness': call(none).returns<ReadinessSnapshot>(),
  'earn.readinessStatus': call(none).returns<ReadinessSnapshot>(),
  /** "Recommended for earning": den per hour estimates for the models that fit this PC, and the grid's demand. */
  'earn.advisor': call(none).returns<AdvisorReport>(),
  /** The worker key's address and its delegation (§16.2); creates the key at first use. Never the key itself. */
  'identity.status': call(none).returns<IdentityStatus>(),
  /** The delegation for the payout wallet to sign, and the exact message; kept until a signature is installed. */
  'identity.request': call(identityRequestSchema).returns<IdentityRequest>(),
  /** Checks the wallet's signature for the pending request (it must recover to the payout wallet) and saves it. */
  'identity.install': call(identityInstallSchema).returns<IdentityStatus>(),
  /** One-click device enrollment (§16.2): opens it on the grid; the status carries the approval link, then the outcome. */
  'identity.enroll': call(identityEnrollSchema).returns<IdentityStatus>(),
  'identity.cancelEnrollment': call(none).returns<IdentityStatus>(),
  'api.status': call(none).returns<LocalApiSnapshot>(),
  /** Whether the history can be saved now (false on a full disk), with the sentence to show. */
  'storage.status': call(none).returns<StorageStatus>(),
  'api.configure': call(
    z.strictObject({
      enabled: z.boolean(),
      host: z.union([z.ipv4(), z.ipv6(), z.literal('localhost')]),
      port: z.number().int().min(1024).max(65535),
      corsOrigins: z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'an origin such as http://localhost:8000')).max(8),
    }),
  ).returns<LocalApiSnapshot>(),
  'api.regenerateToken': call(none).returns<LocalApiSnapshot>(),
  /** Alerts: desktop notifications and a webhook (the URL is never sent back whole). */
  'alerts.settings': call(none).returns<AlertSettingsView>(),
  'alerts.configure': call(alertConfigureSchema).returns<AlertSettingsView>(),
  /** "Send a test alert" through every channel that is on. */
  'alerts.test': call(none).returns<AlertTestResult>(),
  /** Bridge mode: mine through a server the user already runs (the key is never sent back). */
  'bridge.settings': call(none).returns<BridgeSettingsView>(),
  'bridge.configure': call(bridgeConfigureSchema).returns<BridgeSettingsView>(),
  /** The servers the miner runs all of (the first is chat's "My server"); keys go host-bound only, the list says which are stored. */
  'bridge.servers': call(none).returns<BridgeServersView>(),
  'bridge.saveServers': call(bridgeSaveServersSchema).returns<BridgeServersView>(),
  /** "Test connection" with what the form holds now: one sentence and the server's models. */
  'bridge.test': call(bridgeServerSchema).returns<BridgeTestResult>(),
  /** "Find servers on this PC": the usual loopback ports only. */
  'bridge.find': call(none).returns<FoundServer[]>(),
  /** Prometheus `/metrics` (Settings › Metrics): on 127.0.0.1 unless the user opens it. */
  'metrics.status': call(none).returns<MetricsStatus>(),
  'metrics.configure': call(metricsSettingsSchema).returns<MetricsStatus>(),
  'desktop.status': call(none).returns<DesktopSnapshot>(),
  'desktop.setLoginItem': call(
    z.strictObject({ openAtLogin: z.boolean(), startHidden: z.boolean(), startEarning: z.boolean() }),
  ).returns<DesktopSnapshot>(),
  'desktop.update': call(z.strictObject({ action: z.enum(['check', 'restart']) })).returns<DesktopSnapshot>(),
  'desktop.openLogsFolder': call(none).returns<{ opened: boolean }>(),
  'desktop.setSpellcheck': call(z.strictObject({ enabled: z.boolean() })).returns<DesktopSnapshot>(),
}

/** The name of a call. */
export type CallName = keyof typeof contract
/** What a call takes (after validation). */
export type RequestOf<K extends CallName> = z.infer<(typeof contract)[K]['request']>
/** What a call gives back when it succeeds. */
export type ResultOf<K extends CallName> = (typeof contract)[K]['result']

/** Every event the host pushes to the renderer, with its payload. */
export interface Events {
  'engine.snapshot': EngineSnapshot
  /** "Optimize the engine for this PC": its step, progress and outcome. */
  'engine.build': EngineBuildStatus
  'models.local': LocalModel[]
  'models.downloads': DownloadSnapshot[]
  'models.catalog': CatalogItem[]
  'chat.delta': ChatDelta
  /** A message row changed as a whole (created, finished, stopped, failed). */
  'chat.message': Message
  'chat.conversations': ConversationSummary[]
  /** A grid reply waiting in a queue (position, estimated wait) before its text arrives. */
  'chat.progress': ReplyProgress
  /** A running import's progress. */
  'chat.importProgress': ImportProgressEvent
  'earn.snapshot': EarnSnapshot
  /** Start earning's steps and their progress. */
  'earn.quickStart': QuickStartSnapshot
  /** The readiness self-test's progress and last report. */
  'earn.readiness': ReadinessSnapshot
  /** The worker identity changed (a request made, a delegation installed). */
  'identity.status': IdentityStatus
  'api.snapshot': LocalApiSnapshot
  /** The bridge settings or its server's status changed. */
  'bridge.settings': BridgeSettingsView
  /** The server list changed, or one of its servers' status. */
  'bridge.servers': BridgeServersView
  /** Start at login or the self-updater changed (desktop only). */
  'desktop.snapshot': DesktopSnapshot
  /** The history became read-only (a full disk) or writable again. */
  'storage.status': StorageStatus
}

/** The name of an event. */
export type EventName = keyof Events

/** What the renderer sees as `window.gridforge`, whichever transport carries it. */
export interface GridforgeApi {
  call<K extends CallName>(name: K, request: RequestOf<K>): Promise<Result<ResultOf<K>>>
  on<E extends EventName>(name: E, listener: (payload: Events[E]) => void): () => void
}
