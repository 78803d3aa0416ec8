import type {
  Conversation,
  EarnHistory,
  HistoryRange,
  MiningPolicySettings,
  ConversationSummary,
  EarnSettings,
  EarnSnapshot,
  EngineSnapshot,
  GridNetwork,
  JobLogEntry,
  LocalApiSettings,
  LocalApiSnapshot,
  LocalModel,
  Message,
} from '../../../shared/domain'
import { DEFAULT_CONVERSATION_SETTINGS, type ConversationSettings } from '../../../shared/chatSettings'
import type { ChatBackend } from '../../../shared/gridChat'
import type { AppErrorShape } from '../../../shared/result'
import { api } from './bridge'
import { setUnlessNewer } from './freshReply'
import { refreshOnConnect } from './reconnect'
import { createStore } from './store'

/** The engine snapshot pushed by the host. */
export const engineStore = createStore<EngineSnapshot | null>(null)
/** The conversation list, most recent first. */
export const conversationsStore = createStore<ConversationSummary[]>([])
/** The open conversation, or null for a new one. */
export const activeStore = createStore<Conversation | null>(null)
/** Model files in the models folder. */
export const localModelsStore = createStore<LocalModel[]>([])
/** The last error of a user action, shown until the next action. */
export const errorStore = createStore<AppErrorShape | null>(null)
/** Settings the next new conversation starts with. */
export const newChatSettingsStore = createStore<ConversationSettings>(DEFAULT_CONVERSATION_SETTINGS)
/** The miner. */
export const earnStore = createStore<EarnSnapshot | null>(null)
/** The latest finished grid jobs, newest first. */
export const jobLogStore = createStore<JobLogEntry[]>([])
/** The local API. */
export const localApiStore = createStore<LocalApiSnapshot | null>(null)
/** True once the engine, the conversations and the model files were first read (each lands on its own). */
export const firstReadsStore = createStore(false)

function applyMessage(message: Message): void {
  activeStore.set((active) => {
    if (!active || active.id !== message.conversationId) return active
    const exists = active.messages.some((m) => m.id === message.id)
    const messages = exists ? active.messages.map((m) => (m.id === message.id ? message : m)) : [...active.messages, message]
    return { ...active, messages }
  })
}

async function refresh(): Promise<void> {
  if (!api) return
  const host = api
  await Promise.all([
    setUnlessNewer(engineStore, () => host.call('engine.status', {})),
    setUnlessNewer(conversationsStore, () => host.call('chat.list', {})),
    setUnlessNewer(localModelsStore, () => host.call('models.listLocal', {})),
  ])
  firstReadsStore.set(true)
  await Promise.all([
    setUnlessNewer(earnStore, () => host.call('earn.status', {})),
    setUnlessNewer(localApiStore, () => host.call('api.status', {})),
  ])
  await refreshJobLog()
  const active = activeStore.get()
  if (active) await openConversation(active.id)
}

/** Subscribes to host events and loads the first state; again after every reconnect. */
export function startAppState(): void {
  if (!api) return
  api.on('engine.snapshot', (snapshot) => engineStore.set(snapshot))
  api.on('chat.conversations', (list) => conversationsStore.set(list))
  api.on('chat.message', applyMessage)
  api.on('api.snapshot', (snapshot) => localApiStore.set(snapshot))
  api.on('earn.snapshot', (snapshot) => {
    const before = earnStore.get()?.sinceStart
    earnStore.set(snapshot)
    // Rewards can arrive after the job (AIPG's ack): the log shows them too.
    if (before?.jobs !== snapshot.sinceStart.jobs || before?.rewards !== snapshot.sinceStart.rewards) void refreshJobLog()
  })
  api.on('chat.delta', (delta) => {
    activeStore.set((active) => {
      if (!active || active.id !== delta.conversationId) return active
      return {
        ...active,
        messages: active.messages.map((m) =>
          m.id === delta.messageId
            ? {
                ...m,
                content: m.content + delta.text,
                ...(delta.reasoning ? { reasoning: (m.reasoning ?? '') + delta.reasoning } : {}),
                ...(delta.reasoningMs !== undefined ? { reasoningMs: delta.reasoningMs } : {}),
              }
            : m,
        ),
      }
    })
  })
  refreshOnConnect(refresh)
}

/** Runs a call and records its error for the UI; returns the value or null. */
async function run<T>(call: () => Promise<{ ok: true; value: T } | { ok: false; error: AppErrorShape }>) {
  errorStore.set(null)
  const result = await call()
  if (result.ok) return result.value
  errorStore.set(result.error)
  return null
}

/** Opens a conversation by id. */
export async function openConversation(conversationId: string): Promise<void> {
  if (!api) return
  const conversation = await run(() => api!.call('chat.get', { conversationId }))
  if (conversation) activeStore.set(conversation)
}

/** Starts a new, empty conversation (created in the store on its first message). */
export function newConversation(): void {
  activeStore.set(null)
}

/** Sends a message (to the local model unless a grid backend is given); false (keeping the draft) when not sent. */
export async function sendMessage(text: string, through: { backend?: ChatBackend; gridNoticeAccepted?: boolean } = {}): Promise<boolean> {
  if (!api) return false
  const active = activeStore.get()
  const settings = active ? undefined : newChatSettingsStore.get()
  const sent = await run(() => api!.call('chat.send', { conversationId: active?.id ?? null, text, settings, ...through }))
  if (!sent) return false
  activeStore.set((current) => {
    if (current && current.id === sent.conversation.id) {
      return { ...current, messages: [...current.messages, sent.userMessage, sent.assistantMessage] }
    }
    return { ...sent.conversation, settings, messages: [sent.userMessage, sent.assistantMessage] }
  })
  return true
}

/** Stops a streaming reply. */
export async function stopMessage(messageId: string): Promise<void> {
  if (api) await run(() => api!.call('chat.stop', { messageId }))
}

/** Deletes a conversation. */
export async function deleteConversation(conversationId: string): Promise<void> {
  if (!api) return
  const done = await run(() => api!.call('chat.delete', { conversationId }))
  if (done?.deleted && activeStore.get()?.id === conversationId) activeStore.set(null)
}

/** Loads a model by path. */
export async function loadModel(path: string): Promise<void> {
  if (api) await run(() => api!.call('engine.load', { path }))
}

/** Unloads the model. */
export async function unloadModel(): Promise<void> {
  if (api) await run(() => api!.call('engine.unload', {}))
}

/** Re-reads the models folder. */
export async function refreshLocalModels(): Promise<void> {
  if (!api) return
  const models = await run(() => api!.call('models.listLocal', {}))
  if (models) localModelsStore.set(models)
}

/** Re-reads the job log. */
export async function refreshJobLog(): Promise<void> {
  if (!api) return
  const jobs = await api.call('earn.jobs', { limit: 100 })
  if (jobs.ok) jobLogStore.set(jobs.value)
}

/** Saves the miner settings. */
export async function configureEarn(settings: EarnSettings): Promise<boolean> {
  if (!api) return false
  const snapshot = await run(() => api!.call('earn.configure', settings))
  if (snapshot) earnStore.set(snapshot)
  return snapshot !== null
}

/** Stores the grid API key in the host; only its last four characters come back. */
export async function saveApiKey(network: GridNetwork, apiKey: string): Promise<boolean> {
  if (!api) return false
  const snapshot = await run(() => api!.call('earn.setApiKey', { network, apiKey }))
  if (snapshot) earnStore.set(snapshot)
  return snapshot !== null
}

/** Starts earning. */
export async function startEarning(): Promise<void> {
  if (!api) return
  const snapshot = await run(() => api!.call('earn.start', {}))
  if (snapshot) earnStore.set(snapshot)
}

/** Stops earning (a second call cancels jobs in flight). */
export async function stopEarning(): Promise<void> {
  if (!api) return
  const snapshot = await run(() => api!.call('earn.stop', {}))
  if (snapshot) earnStore.set(snapshot)
}

/** Turns the local API on or off, or moves it. */
export async function configureLocalApi(settings: LocalApiSettings): Promise<boolean> {
  if (!api) return false
  const snapshot = await run(() => api!.call('api.configure', settings))
  if (snapshot) localApiStore.set(snapshot)
  return snapshot !== null
}

/** Replaces the local API token. */
export async function regenerateLocalApiToken(): Promise<void> {
  if (!api) return
  const snapshot = await run(() => api!.call('api.regenerateToken', {}))
  if (snapshot) localApiStore.set(snapshot)
}

/** Saves the mining policies; the host applies them at once, also while mining. */
export async function setMiningPolicy(policy: MiningPolicySettings): Promise<boolean> {
  if (!api) return false
  const snapshot = await run(() => api!.call('earn.setPolicy', policy))
  if (snapshot) earnStore.set(snapshot)
  return snapshot !== null
}

/** Asks the grid for the account totals now. */
export async function refreshAccountTotals(): Promise<void> {
  if (!api) return
  const snapshot = await run(() => api!.call('earn.refreshAccount', {}))
  if (snapshot) earnStore.set(snapshot)
}

/** Rewards and jobs from the local ledger over a range; null when the host cannot be asked. */
export async function fetchEarnHistory(range: HistoryRange): Promise<EarnHistory | null> {
  if (!api) return null
  const history = await api.call('earn.history', { range })
  return history.ok ? history.value : null
}
