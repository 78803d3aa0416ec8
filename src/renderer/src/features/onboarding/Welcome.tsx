import { useEffect, useState } from 'react'
import type { CatalogItem, LocalModel } from '../../../../shared/models'
import { engineStore, errorStore, loadModel, localModelsStore } from '../../api/appState'
import { goTo } from '../../api/navigation'
import {
  catalogStore,
  downloadModel,
  downloadsStore,
  hardwareStore,
  modelsErrorStore,
  refreshModels,
  registerModels,
  resumeDownload,
} from '../../api/modelsState'
import { useStore } from '../../api/store'
import { formatBytes } from '../../components/format'
import { modelName } from '../chat/ModelPicker'
import { describeDownload, downloadShare } from '../models/downloadText'
import { describeHardware, fitBadge, isEstimating, isOffline, sizeAndFit } from '../models/fitText'
import { dismissWelcome, welcomeFlowStore, type WelcomeFlow } from './welcomeState'
import './welcome.css'

/**
 * The first open: the two things people come for. "Chat privately" takes the recommended model (or one on
 * this PC) through download and load into a chat; "Start earning" opens the Earn setup.
 */
export function Welcome() {
  const hardware = useStore(hardwareStore)
  useEffect(() => {
    void refreshModels()
  }, [])
  return (
    <section className="welcome" aria-label="Welcome">
      <h2>Welcome to GridForge</h2>
      <p className="welcome-lead">Chat with an AI model that runs on this PC, or earn by lending its idle time to the AI Power Grid.</p>
      {hardware && <p className="welcome-pc">{describeHardware(hardware)}</p>}
      <div className="welcome-paths">
        <ChatPrivately />
        <article className="welcome-card" aria-labelledby="welcome-earn">
          <h3 id="welcome-earn">Start earning</h3>
          <p>
            While you are away, this PC answers text jobs for the AI Power Grid and earns rewards for each one. Their prompts are never
            stored or shown here.
          </p>
          <button type="button" className="primary" onClick={() => goTo('earn')}>
            Set up earning
          </button>
        </article>
      </div>
      <button type="button" className="link welcome-skip" onClick={dismissWelcome}>
        Skip for now and look around
      </button>
    </section>
  )
}

/** "Chat privately": pick a model, download it with its progress, load it, and land in the chat. */
function ChatPrivately() {
  const flow = useStore(welcomeFlowStore)
  const catalog = useStore(catalogStore)
  const local = useStore(localModelsStore)
  const downloads = useStore(downloadsStore)
  const engine = useStore(engineStore)
  const [problem, setProblem] = useState<string | null>(null)

  const chatWith = async (path: string, name: string) => {
    setProblem(null)
    welcomeFlowStore.set({ phase: 'loading', path, name })
    await loadModel(path)
    const error = errorStore.get()
    if (error) {
      setProblem(error.message)
      welcomeFlowStore.set({ phase: 'choosing' })
    }
  }
  const download = async (item: CatalogItem) => {
    setProblem(null)
    if (await downloadModel(item.id)) welcomeFlowStore.set({ phase: 'downloading', catalogId: item.id, name: item.name })
    else setProblem(modelsErrorStore.get()?.message ?? 'The download could not start.')
  }

  // A finished download goes straight on to loading; a loaded model is where the welcome ends.
  useEffect(() => {
    if (flow.phase === 'downloading') {
      const model = local.find((candidate) => candidate.present && candidate.catalogId === flow.catalogId)
      if (model) void chatWith(model.path, flow.name)
    } else if (flow.phase === 'loading' && engine?.state === 'ready' && engine.model?.path === flow.path) {
      dismissWelcome()
    }
  }, [flow, local, engine])

  return (
    <article className="welcome-card" aria-labelledby="welcome-chat">
      <h3 id="welcome-chat">Chat privately</h3>
      <p>The model runs on this PC: what you type never leaves it, and it works without the internet once downloaded.</p>
      {flow.phase === 'choosing' && <ModelOffers catalog={catalog} local={local} onChat={chatWith} onDownload={download} />}
      {flow.phase === 'downloading' && (
        <DownloadStep flow={flow} downloads={downloads} onBack={() => welcomeFlowStore.set({ phase: 'choosing' })} />
      )}
      {flow.phase === 'loading' && (
        <div className="welcome-step" role="status" aria-label="Loading the model">
          <p>
            Loading <strong>{flow.name}</strong>…{' '}
            {engine?.loading?.path === flow.path ? `${Math.round(engine.loading.progress * 100)}%` : ''}
          </p>
          <progress
            max={1}
            value={engine?.loading?.path === flow.path ? engine.loading.progress : undefined}
            aria-label="Loading progress"
          />
        </div>
      )}
      {problem && (
        <p className="error-text" role="alert">
          {problem}
        </p>
      )}
    </article>
  )
}

/** The models on this PC first, then the recommended catalog model (or what can be said without the network). */
function ModelOffers(props: {
  catalog: CatalogItem[]
  local: LocalModel[]
  onChat: (path: string, name: string) => void
  onDownload: (item: CatalogItem) => void
}) {
  const { catalog, local } = props
  const present = local.filter((model) => model.present)
  const notDownloaded = catalog.filter((item) => !item.localModelId)
  const recommended = notDownloaded.find((item) => item.recommended) ?? null
  const estimating = catalog.length === 0 || (!recommended && catalog.some((item) => isEstimating(item.fit)))
  const offline = !estimating && notDownloaded.length > 0 && notDownloaded.every((item) => isOffline(item.fit))
  const smallest = [...notDownloaded].filter((item) => item.fit.kind !== 'too-large').sort((a, b) => a.sizeBytes - b.sizeBytes)[0] ?? null
  const offer = recommended ?? (estimating ? null : smallest)

  return (
    <div className="welcome-step">
      {present.length > 0 && (
        <ul className="welcome-models" aria-label="Models on this PC">
          {present.map((model) => (
            <li key={model.id}>
              <span>
                <strong>{modelName(model, catalog)}</strong> <span className="muted">{sizeAndFit(model.sizeBytes, model.fit)}</span>
              </span>
              <button type="button" className="primary" onClick={() => props.onChat(model.path, modelName(model, catalog))}>
                Chat with {modelName(model, catalog)}
              </button>
            </li>
          ))}
        </ul>
      )}
      {estimating && <p className="muted">Checking which model fits this PC…</p>}
      {offline && (
        <p className="welcome-offline" data-testid="welcome-offline">
          <span className="badge fit unknown">Fit unknown: offline</span> {fitBadge(notDownloaded[0]!.fit).detail}{' '}
          {present.length > 0
            ? 'The models on this PC work without it.'
            : 'Add a model file you already have below, or start the download anyway: it keeps retrying until the network is back.'}
        </p>
      )}
      {offer && (
        <div className="welcome-offer" data-testid="welcome-offer">
          <p>
            {offer.recommended
              ? 'Recommended for this PC: '
              : offline
                ? 'The smallest model: '
                : 'No model is known to fit this PC well; the smallest: '}
            <strong>{offer.name}</strong> · {formatBytes(offer.sizeBytes)} ·{' '}
            <span className={`badge fit ${fitBadge(offer.fit).tone}`}>{fitBadge(offer.fit).label}</span>
          </p>
          {!offline && <p className="muted">{fitBadge(offer.fit).detail}</p>}
          <button type="button" className={present.length > 0 ? undefined : 'primary'} onClick={() => props.onDownload(offer)}>
            Download {offer.name} ({formatBytes(offer.sizeBytes)}) and chat
          </button>
        </div>
      )}
      <AddModelFile />
    </div>
  )
}

/** A GGUF file (or a folder of them, e.g. LM Studio's or Ollama's) already on this PC, registered in place. */
function AddModelFile() {
  const [path, setPath] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  return (
    <details className="welcome-add">
      <summary>I already have a model file</summary>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          setProblem(null)
          void registerModels(path.trim()).then((ok) => {
            if (ok) setPath('')
            else setProblem(modelsErrorStore.get()?.message ?? 'The file could not be added.')
          })
        }}
      >
        <label htmlFor="welcome-add-path">File or folder</label>
        <input id="welcome-add-path" value={path} placeholder="/path/to/model.gguf" onChange={(event) => setPath(event.target.value)} />
        <button type="submit" disabled={!path.trim()}>
          Add
        </button>
      </form>
      {problem && (
        <p className="error-text" role="alert">
          {problem}
        </p>
      )}
    </details>
  )
}

/** The catalog download "Chat privately" started: progress, the retry countdown, and what to do when it failed. */
function DownloadStep({
  flow,
  downloads,
  onBack,
}: {
  flow: Extract<WelcomeFlow, { phase: 'downloading' }>
  downloads: ReturnType<typeof downloadsStore.get>
  onBack: () => void
}) {
  const download = downloads.find((candidate) => candidate.catalogId === flow.catalogId && candidate.state !== 'cancelled') ?? null
  const share = download ? downloadShare(download) : null
  const failed = download?.state === 'failed'
  return (
    <div className="welcome-step" aria-label="Downloading the model" role="group">
      <p>
        Downloading <strong>{flow.name}</strong>
        {share !== null && download?.state !== 'done' ? ` · ${Math.floor(share * 100)}%` : ''}
      </p>
      <progress max={1} value={share ?? undefined} aria-label="Download progress" />
      <p className={failed ? 'error-text' : 'muted'} role={failed ? 'alert' : 'status'} data-testid="welcome-download">
        {download ? (download.state === 'done' ? 'Downloaded; loading it next.' : describeDownload(download)) : 'Starting the download…'}
      </p>
      <div className="welcome-actions">
        {download && (download.state === 'failed' || download.state === 'paused') && (
          <button type="button" onClick={() => void resumeDownload(download.id)}>
            {failed ? 'Retry' : 'Resume'}
          </button>
        )}
        <button type="button" onClick={onBack}>
          Choose another model
        </button>
      </div>
    </div>
  )
}
