import { mkdirSync } from 'node:fs'
import type Database from 'better-sqlite3'
import type { AppInfo } from '../../shared/domain.js'
import { ChatService } from '../chat/chatService.js'
import { GridChatService } from '../chat/grid/gridChatService.js'
import type { HordeChatOptions } from '../chat/grid/hordeChat.js'
import { EarnService, secretName } from '../earn/earnService.js'
import { bridgeAgent, DEFAULT_GRID_URLS } from '../earn/gridDefaults.js'
import { LocalUseGate } from '../earn/localUseGate.js'
import { FileSecretStore, type SecretStore } from '../earn/secretStore.js'
import type { Engine } from '../engine/engine.js'
import { EngineSupervisor } from '../engine/engineSupervisor.js'
import type { EngineLauncher } from '../engine/protocol.js'
import { listLocalModels } from '../models/localModels.js'
import { LocalApiService } from '../server/localApi/localApiService.js'
import { ChatRepository } from '../store/chatRepository.js'
import { JobsRepository } from '../store/jobsRepository.js'
import { SettingsRepository } from '../store/settingsRepository.js'
import { openDatabase } from '../store/database.js'
import { dataPaths } from './dataDir.js'
import { createDispatcher, type Dispatch, type Handlers } from './dispatch.js'
import { HostEvents } from './events.js'

/** What a shell (Electron or headless) needs to build the host. */
export interface HostOptions {
  dataDir: string
  shell: AppInfo['shell']
  version: string
  launchEngine: EngineLauncher
  /** A fixed engine thread count (CLI `--threads`); otherwise chosen per model. */
  threads?: number | null
  /** Where API keys are kept; defaults to 0600 files in the data folder (headless). */
  secrets?: SecretStore
  /** The Cloudflare Origin CA (PEM) for the AIPG worker socket. */
  extraCa?: string
  /** How long mining waits after local chat or API use (default 30 s). */
  localCooldownMs?: number
  log?: (line: string) => void
  /** Chat through the AI Horde (tests poll faster). */
  hordeChat?: HordeChatOptions
}

/** The host: every service, built once, behind one dispatcher and one event bus. */
export interface Host {
  dispatch: Dispatch
  events: HostEvents
  engine: Engine
  chat: ChatService
  earn: EarnService
  gridChat: GridChatService
  localApi: LocalApiService
  localUse: LocalUseGate
  paths: ReturnType<typeof dataPaths>
  close(): Promise<void>
}

/** Builds the host. The engine process starts in the background so the UI can appear at once. */
export function createHost(options: HostOptions): Host {
  const log = options.log ?? (() => undefined)
  const paths = dataPaths(options.dataDir)
  mkdirSync(paths.models, { recursive: true })
  const db: Database.Database = openDatabase(paths.database)
  const events = new HostEvents()
  const engine = new EngineSupervisor({ launch: options.launchEngine, threads: options.threads, log })
  engine.subscribe((snapshot) => events.emit('engine.snapshot', snapshot))
  engine.start().catch((error: unknown) => log(`engine failed to start: ${String(error)}`))
  const localUse = new LocalUseGate(options.localCooldownMs)
  const chat = new ChatService(new ChatRepository(db), engine, events, () => localUse.beginLocalUse())
  const secrets = options.secrets ?? new FileSecretStore(paths.secrets)
  const settings = new SettingsRepository(db)
  const localApi = new LocalApiService({ engine, settings, secrets, events, beginLocalUse: () => localUse.beginLocalUse() })
  void localApi.startIfEnabled()
  const earn = new EarnService({
    gate: localUse,
    engine,
    ledger: new JobsRepository(db),
    settings,
    secrets,
    events,
    version: options.version,
    extraCa: options.extraCa,
  })
  // Chat uses the grid URL set for earning on the same network (a dev or private grid), else production.
  const gridChat = new GridChatService({
    gridUrl: (network) => {
      const settings = earn.snapshot().settings
      return (settings.network === network && settings.gridUrl) || DEFAULT_GRID_URLS[network]
    },
    apiKey: (network) => secrets.get(secretName(network)),
    agent: bridgeAgent(options.version),
    horde: options.hordeChat,
  })

  const handlers: Handlers = {
    'app.info': () => ({ version: options.version, shell: options.shell, modelsDir: paths.models }),
    'models.listLocal': () => listLocalModels(paths.models),
    'engine.status': () => engine.snapshot(),
    'engine.load': async ({ path }) => {
      await engine.load(path)
      return engine.snapshot()
    },
    'engine.unload': async () => {
      await engine.unload()
      return engine.snapshot()
    },
    'chat.list': () => chat.list(),
    'chat.get': ({ conversationId }) => chat.get(conversationId),
    'chat.delete': async ({ conversationId }) => ({ deleted: await chat.delete(conversationId) }),
    'chat.send': ({ conversationId, text, backend, gridNoticeAccepted }) => {
      const history = backend?.kind === 'grid' && conversationId ? chat.get(conversationId).messages : []
      return chat.send(conversationId, text, undefined, gridChat.sourceFor(backend, history, gridNoticeAccepted ?? false))
    },
    'chat.gridModels': ({ network }) => gridChat.models(network),
    'chat.stop': ({ messageId }) => ({ stopped: chat.stop(messageId) }),
    'earn.status': () => earn.snapshot(),
    'earn.configure': (settings) => earn.configure(settings),
    'earn.setApiKey': ({ network, apiKey }) => earn.setApiKey(network, apiKey),
    'earn.start': () => earn.start(),
    'earn.stop': () => earn.stop(),
    'earn.jobs': ({ limit }) => earn.jobs(limit),
    'api.status': () => localApi.snapshot(),
    'api.configure': (request) => localApi.configure(request),
    'api.regenerateToken': () => localApi.regenerateToken(),
  }

  let closing: Promise<void> | null = null
  return {
    dispatch: createDispatcher(handlers, log),
    events,
    engine,
    chat,
    earn,
    gridChat,
    localApi,
    localUse,
    paths,
    close() {
      closing ??= (async () => {
        await Promise.all([chat.stopAll(), earn.close(), localApi.close()])
        await engine.close()
        db.close()
      })()
      return closing
    },
  }
}
