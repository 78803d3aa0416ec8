import { mkdirSync } from 'node:fs'
import type Database from 'better-sqlite3'
import type { AppInfo, EarnSnapshot } from '../../shared/domain.js'
import type { ModelChoice } from '../../shared/quickStart.js'
import { ChatService } from '../chat/chatService.js'
import { ChatTransfer } from '../chat/transfer/chatTransfer.js'
import { GridChatService } from '../chat/grid/gridChatService.js'
import type { HordeChatOptions } from '../chat/grid/hordeChat.js'
import { createEarnService, type EarnService } from '../earn/earnService.js'
import { WorkerIdentityService } from '../identity/workerIdentityService.js'
import { EarningsAdvisor } from '../advisor/earningsAdvisor.js'
import { DenRegistrySource } from '../earn/denRegistrySource.js'
import { bundledDenRegistry } from '../../grid/denRegistry.js'
import { estimateCpuTokensPerSecond } from '../models/recommend.js'
import { bridgeAgent } from '../../grid/gridAuth.js'
import { LocalUseGate } from '../earn/localUseGate.js'
import { isMinerOn } from '../../shared/minerStatus.js'
import { MiningGate } from '../earn/miningGate.js'
import { systemGpuReader, type GpuReader } from '../lib/gpuReadings.js'
import { checkModelFile } from '../lib/modelFileCheck.js'
import { ThermalGuard } from '../earn/thermalGuard.js'
import { AlertService, logNotifier, type DesktopNotifier } from '../alerts/alertService.js'
import { AlertWatch } from '../alerts/alertWatch.js'
import { BridgeService, type BridgeServiceDependencies } from '../bridge/bridgeService.js'
import type { WebhookPolicy } from '../alerts/webhookPost.js'
import { OnboardingFlag } from '../earn/onboardingFlag.js'
import { draftModelFor } from '../models/draftPairs.js'
import { DraftSetting } from '../models/draftSetting.js'
import { startEarningInBackground, type BackgroundStartOutcome } from '../earn/backgroundStart.js'
import { LastEarningModel } from '../earn/lastEarningModel.js'
import { StartEarningFlow } from '../earn/startEarningFlow.js'
import { alwaysIdle, DEFAULT_POLICY, type IdleSource } from '../earn/miningPolicy.js'
import { FileSecretStore, type SecretStore } from '../store/secretStore.js'
import type { Engine } from '../engine/engine.js'
import { EngineSupervisor } from '../engine/engineSupervisor.js'
import { EngineBuildService } from '../engine/engineBuildService.js'
import { smallestModel } from '../engine/engineBuildVerify.js'
import type { EngineLauncher } from '../engine/protocol.js'
import { loadCatalog } from '../models/catalog.js'
import { ModelsService } from '../models/modelsService.js'
import { LastReadiness } from '../readiness/lastReadiness.js'
import { ReadinessService } from '../readiness/readinessService.js'
import { LocalApiService } from '../localApi/localApiService.js'
import { MetricsService } from '../metrics/metricsService.js'
import { RigMetrics } from '../metrics/rigMetrics.js'
import { ChatRepository } from '../store/chatRepository.js'
import { JobsRepository } from '../store/jobsRepository.js'
import { ModelsRepository } from '../store/modelsRepository.js'
import { SettingsRepository } from '../store/settingsRepository.js'
import { openAppDatabase } from '../store/database.js'
import { StorageHealth } from '../store/storageHealth.js'
import { dataPaths, makeDataDirPrivate } from './dataDir.js'
import { requireDesktop, type DesktopIntegration } from './desktopIntegration.js'
import { createDispatcher, type Dispatch, type Handlers } from './dispatch.js'
import { HostEvents } from './events.js'
import { startEarningPorts } from './startEarningPorts.js'

/** What a shell (Electron or headless) needs to build the host. */
export interface HostOptions {
  dataDir: string
  shell: AppInfo['shell']
  version: string
  launchEngine: EngineLauncher
  /** The engine with extra environment, for "Optimize the engine for this PC" to check its build; absent: not offered. */
  launchEngineWith?: (env: NodeJS.ProcessEnv) => EngineLauncher
  /** A fixed engine thread count (CLI `--threads`); otherwise chosen per model. */
  threads?: number | null
  /** Where API keys are kept; defaults to 0600 files in the data folder (headless). */
  secrets?: SecretStore
  /** The Cloudflare Origin CA (PEM) for the AIPG worker socket. */
  extraCa?: string
  /** How long mining waits after local chat or API use, until the user sets it (default 30 s). */
  localCooldownMs?: number
  /** Whether the user is at the PC and on battery (Electron's powerMonitor); headless: always idle. */
  idleSource?: IdleSource
  log?: (line: string) => void
  /** Where `hf:` URIs and catalog entries resolve (default https://huggingface.co; tests use a local server). */
  hfEndpoint?: string
  /** Free space in a folder; replaced in tests to simulate a full disk. */
  freeBytes?: (dir: string) => Promise<number>
  /** Retry timing of downloads (tests shorten it). */
  downloadBackoff?: { initialMs: number; maxMs: number }
  /**
   * True (default) for the app (desktop or `serve`); false for one-off CLI commands that may run next to it:
   * they leave the app's download queue, interrupted replies, undo window and local API alone.
   */
  ownsData?: boolean
  /** Start at login, updates and logs (the Electron shell); null or absent in headless mode. */
  desktop?: DesktopIntegration | null
  /** The Electron-ABI better-sqlite3 addon, when the shell runs under Electron (see store/database.ts). */
  sqliteNativeBinding?: string
  /** Chat through the AI Horde (tests poll faster). */
  hordeChat?: HordeChatOptions
  /** The GPUs' readings for the thermal guard and the metrics (default nvidia-smi, then rocm-smi; tests fake it). */
  gpuReader?: GpuReader
  /** Desktop notifications for alerts (the Electron shell); headless: a log line. */
  notifier?: DesktopNotifier
  /** Webhook timing for alerts (tests shorten it). */
  alertWebhook?: Partial<WebhookPolicy>
  /** Bridge mode's timing and the ports "Find servers on this PC" asks (tests use their own). */
  bridge?: Pick<BridgeServiceDependencies, 'finder' | 'intervals'>
  /** `gridforge serve --metrics-port`: this run serves its own endpoint, so the Settings toggle waits for the next start. */
  metricsOverridden?: boolean
}

/** The host: every service, built once, behind one dispatcher and one event bus. */
export interface Host {
  dispatch: Dispatch
  events: HostEvents
  engine: Engine
  chat: ChatService
  earn: EarnService
  gridChat: GridChatService
  /** The worker key and its delegation (§16.2). */
  identity: WorkerIdentityService
  localApi: LocalApiService
  localUse: LocalUseGate
  models: ModelsService
  /** What the miner waits on: policies, the GPU's temperature and local use. */
  miningGate: MiningGate
  /** The rig's Prometheus registry (served by `gridforge serve --metrics-port`). */
  metrics: RigMetrics
  /** Settings › Metrics: the `/metrics` endpoint the settings ask for. */
  metricsEndpoint: MetricsService
  thermal: ThermalGuard
  alerts: AlertService
  bridge: BridgeService
  /**
   * Start earning from the tray or at login, as the Earn view's Start does: the loaded model, else the
   * model of the last Start earning. Resolves with the sentence to show the user when it failed.
   */
  startEarningInBackground(): Promise<BackgroundStartOutcome>
  paths: ReturnType<typeof dataPaths>
  close(): Promise<void>
}

/** Builds the host. The engine process starts in the background so the UI can appear at once. */
export function createHost(options: HostOptions): Host {
  const log = options.log ?? (() => undefined)
  const paths = dataPaths(options.dataDir)
  makeDataDirPrivate(options.dataDir)
  mkdirSync(paths.models, { recursive: true })
  const opened = openAppDatabase(paths.database, { nativeBinding: options.sqliteNativeBinding })
  const db: Database.Database = opened.db
  const events = new HostEvents(log)
  const storage = new StorageHealth(options.dataDir)
  storage.events.subscribe(events.forwarder())
  storage.events.on('storage.status', (status) => log(status.reason ?? 'The disk has room again; GridForge saves as before.'))
  if (opened.readOnly) storage.markFull()
  // Each service owns its events; the host puts them on the transports' bus under their contract names.
  const engine = new EngineSupervisor({
    launch: options.launchEngine,
    threads: options.threads,
    slotCalibrationFile: paths.slotCalibration,
    log,
    // Called at each load, when the services below exist: a downloaded draft of the model's family, unless turned off.
    draftFor: async (path): Promise<string | null> =>
      draftSetting.get().enabled ? draftModelFor(path, await models.listLocal(), catalog) : null,
  })
  engine.subscribe((snapshot) => events.emit('engine.snapshot', snapshot))
  engine.start().catch((error: unknown) => log(`engine failed to start: ${String(error)}`))
  const engineBuild = new EngineBuildService({
    dataDir: options.dataDir,
    launchWith: options.launchEngineWith ?? null,
    verificationModel: async () => smallestModel(await models.listLocal()),
    engineGpu: () => engine.snapshot().gpu,
    log,
  })
  engineBuild.subscribe(events.forwarder())
  const secrets = options.secrets ?? new FileSecretStore(paths.secrets)
  const catalog = loadCatalog()
  const models = new ModelsService({
    repo: new ModelsRepository(db),
    modelsDir: paths.models,
    catalog,
    inspector: engine,
    engine,
    secrets,
    hfEndpoint: options.hfEndpoint,
    freeBytes: options.freeBytes,
    downloadBackoff: options.downloadBackoff,
    resumeDownloads: options.ownsData !== false,
    log,
  })
  models.subscribe(events.forwarder())
  models.start()
  const localUse = new LocalUseGate(options.localCooldownMs)
  const chatRepository = new ChatRepository(db)
  const chat = new ChatService(chatRepository, engine, () => localUse.beginLocalUse())
  chat.subscribe(events.forwarder())
  if (options.ownsData !== false) chat.recoverFromLastRun()
  const chatTransfer = new ChatTransfer(
    chatRepository,
    chat,
    () => events.emit('chat.conversations', chat.list()),
    (progress) => events.emit('chat.importProgress', progress),
    { db, nativeBinding: options.sqliteNativeBinding },
  )
  const settings = new SettingsRepository(db)
  const draftSetting = new DraftSetting(settings)
  const localApi = new LocalApiService({
    engine,
    settings,
    secrets,
    beginLocalUse: () => localUse.beginLocalUse(),
    // Asked per request, so the bridge (built below) and the server it saves are read when a request comes.
    served: () => bridge.servedModel(),
  })
  localApi.subscribe(events.forwarder())
  if (options.ownsData !== false) void localApi.startIfEnabled()
  const identity = new WorkerIdentityService({
    secrets,
    log,
    // Enrollment runs against the AIPG grid the miner uses, and its new key becomes the miner's AIPG key.
    gridUrl: () => earn.credentials.gridUrl('aipg'),
    saveApiKey: (apiKey) => earn.setApiKey('aipg', apiKey).then(() => undefined),
    gridAccess: () => {
      const apiKey = earn.credentials.apiKeyFor('aipg')
      return apiKey ? { network: 'aipg', gridUrl: earn.credentials.gridUrl('aipg'), apiKey, agent: bridgeAgent(options.version) } : null
    },
  })
  identity.events.subscribe(events.forwarder())
  const gpuReader = options.gpuReader ?? systemGpuReader()
  const thermal = new ThermalGuard(gpuReader, undefined, log)
  const miningGate = new MiningGate(localUse, options.idleSource ?? alwaysIdle, undefined, undefined, thermal)
  // One registry for den: the miner's advertised names, the rate note and the earnings advisor read the same.
  const denRegistry = new DenRegistrySource(bundledDenRegistry(), log)
  // The miner is built below and asked through `busy` only once the UI can call.
  const bridge: BridgeService = new BridgeService({
    settings,
    secrets,
    busy: () => earn.miner.isBusy(),
    registry: () => denRegistry.current(),
    catalog: () => catalog,
    ...options.bridge,
    log,
  })
  bridge.subscribe(events.forwarder())
  const earn = createEarnService({
    denRegistry,
    gate: miningGate,
    defaultPolicy: {
      ...DEFAULT_POLICY,
      localCooldownSeconds: (options.localCooldownMs ?? DEFAULT_POLICY.localCooldownSeconds * 1000) / 1000,
    },
    engine,
    ledger: new JobsRepository(db),
    settings,
    secrets,
    version: options.version,
    extraCa: options.extraCa,
    advertisedFor: (path, registry) => models.advertisedFor(path, registry),
    signer: identity,
    external: {
      chosen: () => bridge.settings().mode === 'server',
      // The validators' tests run on the server's model before the worker registers, as Start earning does for
      // a loaded model: the report is shown in the Earn view, and a failed check does not stop the start.
      // Stop pressed meanwhile cancels the check itself, not only the wait for it.
      open: async (network, signal) => {
        const opened = await bridge.open(network)
        const cancel = () => void readiness.close()
        signal.addEventListener('abort', cancel, { once: true })
        await readiness
          .ensureChecked(signal)
          .catch((error: unknown) => log(`bridge: readiness check: ${String(error)}`))
          .finally(() => signal.removeEventListener('abort', cancel))
        return opened
      },
    },
    log,
  })
  earn.subscribe(events.forwarder())
  earn.account.start()
  if (options.ownsData !== false) identity.resumeEnrollment()
  const metrics = new RigMetrics({ version: options.version, gpu: gpuReader, hardware: () => engine.hardware() })
  metrics.observeEngine(engine.snapshot())
  engine.subscribe((snapshot) => metrics.observeEngine(snapshot))
  earn.miner.onWorkerEvent((event) => metrics.observeWorker(event))
  const observeEarn = (snapshot: EarnSnapshot) => {
    metrics.setNetwork(snapshot.settings.network)
    metrics.setMinerState(snapshot.state, snapshot.pause)
  }
  observeEarn(earn.snapshot())
  earn.on('earn.snapshot', observeEarn)
  const metricsEndpoint = new MetricsService({ registry: metrics.registry, settings, log })
  if (options.ownsData !== false) void metricsEndpoint.startIfEnabled({ overridden: options.metricsOverridden })
  const alerts = new AlertService({
    settings,
    notifier: options.notifier ?? logNotifier(log),
    rigName: () => earn.snapshot().settings.workerName || null,
    webhook: options.alertWebhook,
    log,
  })
  // The alerts hear the services' own events; none of those services knows about alerts.
  const alertWatch = new AlertWatch({ raise: (kind, title, body) => alerts.raise(kind, title, body), offlineMs: () => alerts.offlineMs() })
  earn.account.onChange((account) => alertWatch.account(account))
  // Whenever the account is asked about, the identity asks which wallet it pays (for the delegation form).
  earn.account.onChange(() => void identity.refreshAccountWallet())
  earn.miner.on('change', (snapshot) => alertWatch.miner(snapshot))
  earn.miner.on('job', (record) => alertWatch.job(record))
  engine.subscribe((snapshot) => alertWatch.engine(snapshot))
  thermal.on('hot', (event) => alertWatch.thermal(event))
  const advisor = new EarningsAdvisor({
    catalog: () => models.catalog(),
    localModels: () => models.listLocal(),
    registry: () => denRegistry.current(),
    cpuTokensPerSecond: async (sizeBytes) => estimateCpuTokensPerSecond(sizeBytes, (await models.hardware()).cpuCores),
    jobs: () => earn.jobs(500),
    gridAccess: () => ({ network: 'aipg', gridUrl: earn.credentials.gridUrl('aipg'), apiKey: null, agent: bridgeAgent(options.version) }),
    maxLength: () => earn.snapshot().settings.maxLength,
    servingNow: () => {
      const snapshot = earn.snapshot()
      return isMinerOn(snapshot.state) && snapshot.settings.network === 'aipg' && snapshot.modelRate
        ? [snapshot.modelRate.advertisedName]
        : []
    },
  })
  const onboarding = new OnboardingFlag(settings)
  const lastEarningModel = new LastEarningModel(settings)
  const readiness = new ReadinessService({
    engine,
    requestedLimits: () => earn.snapshot().settings,
    // The user's own server takes the check's requests beside the jobs' (it queues its own); the local model cannot.
    busyReason: () =>
      isMinerOn(earn.snapshot().state) && !bridge.readinessModel()
        ? 'Stop earning to check grid readiness: the check needs the model to itself.'
        : null,
    bridged: () => bridge.readinessModel(),
    saved: new LastReadiness(settings),
    log,
  })
  readiness.subscribe((_name, snapshot) => events.emit('earn.readiness', snapshot))
  const startEarning = new StartEarningFlow(
    { ...startEarningPorts({ models, engine, earn }), checkReadiness: (signal) => readiness.ensureChecked(signal).then(() => undefined) },
    lastEarningModel.get(),
  )
  const runStartEarning = (model: ModelChoice) => {
    const snapshot = startEarning.start(model)
    lastEarningModel.set(model)
    return snapshot
  }
  startEarning.onChange((snapshot) => events.emit('earn.quickStart', snapshot))
  // Chat uses the grid URL set for earning on the same network (a dev or private grid), else production.
  const gridChat = new GridChatService({
    gridUrl: (network) => earn.credentials.gridUrl(network),
    // Only a key checked against that grid: another grid URL must not receive it.
    apiKey: (network) => earn.credentials.apiKeyFor(network),
    agent: bridgeAgent(options.version),
    horde: options.hordeChat,
  })
  // Replies from the user's own server go there and nowhere else; the grids and the local model as before.
  const replySourceFor = (...[backend, history, accepted]: Parameters<GridChatService['sourceFor']>) =>
    backend?.kind === 'server' ? bridge.replySource() : gridChat.sourceFor(backend, history, accepted)

  const desktop = options.desktop ?? null
  desktop?.subscribe((snapshot) => events.emit('desktop.snapshot', snapshot))

  const handlers: Handlers = {
    'app.info': () => ({
      version: options.version,
      shell: options.shell,
      modelsDir: paths.models,
      logsDir: desktop?.logsDir ?? null,
    }),
    'models.listLocal': () => models.listLocal(),
    'models.catalog': () => models.catalog(),
    'models.hardware': () => models.hardware(),
    'models.downloads': () => models.downloads.list(),
    'models.download': ({ source, sha256 }) => models.enqueueDownload(source, sha256),
    'models.pauseDownload': ({ downloadId }) => models.downloads.pause(downloadId),
    'models.resumeDownload': ({ downloadId }) => models.downloads.resume(downloadId),
    'models.cancelDownload': async ({ downloadId }) => {
      await models.downloads.cancel(downloadId)
      return { cancelled: true as const }
    },
    'models.register': ({ path }) => models.register(path),
    'models.remove': ({ modelId }) => models.remove(modelId),
    'models.hfToken': () => ({ hasToken: models.hasHfToken() }),
    'models.setHfToken': ({ token }) => models.setHfToken(token),
    'engine.status': () => engine.snapshot(),
    'engine.load': async ({ path }) => {
      // A mistyped path or a wrong file is refused before the loaded model is unloaded for it.
      await checkModelFile(path)
      await engine.load(path)
      return engine.snapshot()
    },
    'engine.buildStatus': () => engineBuild.status(),
    'engine.optimize': () => engineBuild.begin(),
    'engine.useBuild': ({ flavor }) => engineBuild.choose(flavor),
    'engine.unload': async () => {
      await engine.unload()
      return engine.snapshot()
    },
    'chat.list': () => chat.list(),
    'chat.draftModel': () => draftSetting.get(),
    'chat.setDraftModel': ({ enabled }) => draftSetting.set(enabled),
    'chat.get': ({ conversationId }) => chat.get(conversationId),
    'chat.older': ({ conversationId, before, limit }) => chat.older(conversationId, before, limit),
    'chat.delete': async ({ conversationId }) => ({ deleted: await chat.delete(conversationId) }),
    'chat.send': ({ conversationId, text, settings, backend, gridNoticeAccepted }) => {
      const history = backend?.kind === 'grid' && conversationId ? chat.history(conversationId) : []
      return chat.send(conversationId, text, settings, replySourceFor(backend, history, gridNoticeAccepted ?? false))
    },
    'chat.gridModels': ({ network }) => gridChat.models(network),
    'chat.stop': ({ messageId }) => ({ stopped: chat.stop(messageId) }),
    'chat.rename': ({ conversationId, title }) => chat.rename(conversationId, title),
    'chat.restore': ({ conversationId }) => ({ restored: chat.restore(conversationId) }),
    'chat.search': ({ query }) => chat.search(query),
    // A conversation that went through a grid is regenerated and edited there too, not on the local model
    // (its notice was accepted when that reply was sent).
    'chat.regenerate': ({ messageId }) => chat.regenerate(messageId, replySourceFor(chat.followUpBackend(messageId), [], true)),
    'chat.edit': ({ messageId, text }) => chat.edit(messageId, text, replySourceFor(chat.followUpBackend(messageId), [], true)),
    'chat.select': ({ messageId }) => chat.select(messageId),
    'chat.deleteMessage': ({ messageId }) => chat.deleteMessage(messageId),
    'chat.updateSettings': ({ conversationId, settings }) => chat.updateSettings(conversationId, settings),
    'chat.export': ({ conversationId, format }) => chatTransfer.export(conversationId, format),
    'chat.import': ({ uploadId, index, text, last }) => chatTransfer.importPiece(uploadId, index, text, last),
    'chat.importCancel': ({ uploadId }) => chatTransfer.cancelImport(uploadId),
    'earn.status': () => earn.snapshot(),
    'earn.configure': (settings) => earn.configure(settings),
    'earn.setApiKey': ({ network, apiKey }) => earn.setApiKey(network, apiKey),
    'earn.start': () => earn.start(),
    'earn.stop': () => earn.stop(),
    'earn.jobs': ({ limit }) => earn.jobs(limit),
    'earn.setPolicy': (policy) => earn.setPolicy(policy),
    'earn.history': ({ range }) => earn.history(range),
    'earn.refreshAccount': () => earn.refreshAccount(),
    'earn.onboarding': () => onboarding.get(),
    'earn.setOnboarding': ({ done }) => onboarding.set(done),
    'earn.quickStart': ({ model }) => runStartEarning(model),
    'earn.quickStartStatus': () => startEarning.snapshot(),
    'earn.quickStartCancel': () => startEarning.cancel(),
    'earn.readiness': () => readiness.check(),
    'earn.readinessStatus': () => readiness.snapshot(),
    'earn.advisor': () => advisor.report(),
    'identity.status': () => identity.status(),
    'identity.request': (request) => identity.requestDelegation(request),
    'identity.install': ({ signature }) => identity.install(signature),
    'identity.enroll': async (request) => {
      await identity.enroll(request)
      return identity.status()
    },
    'identity.cancelEnrollment': () => identity.cancelEnrollment(),
    'api.status': () => localApi.snapshot(),
    'storage.status': () => storage.status(),
    'api.configure': (request) => localApi.configure(request),
    'api.regenerateToken': () => localApi.regenerateToken(),
    'alerts.settings': () => alerts.settings(),
    'alerts.configure': (request) => alerts.configure(request),
    'alerts.test': () => alerts.test(),
    'bridge.settings': () => bridge.settings(),
    'bridge.configure': (request) => bridge.configure(request),
    'bridge.servers': () => bridge.serversView(),
    'bridge.saveServers': ({ list, keys }) => bridge.saveServers(list, keys),
    'bridge.test': (request) => bridge.test(request),
    'bridge.find': () => bridge.find(),
    'metrics.status': () => metricsEndpoint.snapshot(),
    'metrics.configure': (request) => metricsEndpoint.configure(request),
    'desktop.status': () => requireDesktop(desktop).snapshot(),
    'desktop.setLoginItem': (settings) => requireDesktop(desktop).setLoginItem(settings),
    'desktop.update': ({ action }) =>
      action === 'check' ? requireDesktop(desktop).checkForUpdates() : requireDesktop(desktop).restartToUpdate(),
    'desktop.openLogsFolder': async () => ({ opened: await requireDesktop(desktop).openLogsFolder() }),
    'desktop.setSpellcheck': ({ enabled }) => requireDesktop(desktop).setSpellcheck(enabled),
  }

  let closing: Promise<void> | null = null
  return {
    dispatch: createDispatcher(handlers, log),
    events,
    engine,
    chat,
    earn,
    gridChat,
    identity,
    localApi,
    localUse,
    models,
    miningGate,
    metrics,
    metricsEndpoint,
    thermal,
    alerts,
    bridge,
    paths,
    startEarningInBackground: () =>
      startEarningInBackground({
        isMining: () => isMinerOn(earn.snapshot().state),
        modelLoaded: () => engine.snapshot().model !== null,
        startMiner: () => earn.start(),
        lastChoice: () => lastEarningModel.get(),
        runStartEarning: async (model) => {
          runStartEarning(model)
          await startEarning.settled()
          return startEarning.snapshot()
        },
      }),
    close() {
      closing ??= (async () => {
        await Promise.all([
          chat.stopAll(),
          earn.close(),
          localApi.close(),
          models.close(),
          readiness.close(),
          identity.close(),
          metricsEndpoint.close(),
        ])
        engineBuild.close()
        await chatTransfer.close()
        await engine.close()
        storage.close()
        db.close()
      })()
      return closing
    },
  }
}
