import { useEffect, useState } from 'react'
import { engineStore, localModelsStore } from '../../api/appState'
import {
  catalogStore,
  downloadModel,
  downloadsStore,
  hardwareStore,
  modelsErrorStore,
  modelsNoticeStore,
  refreshModels,
  registerModels,
} from '../../api/modelsState'
import { useStore } from '../../api/store'
import { CatalogList } from './CatalogList'
import { DownloadQueue } from './DownloadQueue'
import { HfTokenForm } from './HfTokenForm'
import { LocalModelList } from './LocalModelList'
import { describeHardware } from './fitText'

/** Models: what is on this PC, the download queue, and the catalog with what fits. */
export function ModelsView() {
  const catalog = useStore(catalogStore)
  const downloads = useStore(downloadsStore)
  const local = useStore(localModelsStore)
  const hardware = useStore(hardwareStore)
  const engine = useStore(engineStore)
  const error = useStore(modelsErrorStore)
  const notice = useStore(modelsNoticeStore)
  const [source, setSource] = useState('')
  const [sha256, setSha256] = useState('')
  const [folder, setFolder] = useState('')
  useEffect(() => {
    void refreshModels()
  }, [])
  const active = downloads.filter((d) => d.state !== 'done' && d.state !== 'cancelled')
  const queuedIds = new Set(active.flatMap((d) => (d.catalogId ? [d.catalogId] : [])))

  return (
    <section className="models" aria-label="Models">
      {hardware && <p className="hardware">{describeHardware(hardware)}</p>}
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      {notice && (
        <p className="models-notice" role="status">
          {notice}
        </p>
      )}

      <h2>On this PC</h2>
      <LocalModelList models={local} engine={engine} />
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault()
          if (folder.trim()) void registerModels(folder.trim()).then((ok) => ok && setFolder(''))
        }}
      >
        <label htmlFor="register-path">Add a model you already have (file or folder, e.g. LM Studio or Ollama)</label>
        <input
          id="register-path"
          value={folder}
          placeholder="/path/to/model.gguf or a folder"
          onChange={(e) => setFolder(e.target.value)}
        />
        <button type="submit" disabled={!folder.trim()}>
          Add
        </button>
      </form>

      <DownloadQueue downloads={downloads} />

      <h2>Download</h2>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault()
          if (!source.trim()) return
          void downloadModel(source.trim(), sha256.trim() || null).then((ok) => {
            if (ok) {
              setSource('')
              setSha256('')
            }
          })
        }}
      >
        <label htmlFor="download-source">From a URL or Hugging Face (hf:user/repo:Q4_K_M or hf:user/repo/file.gguf)</label>
        <input id="download-source" value={source} placeholder="https://…/model.gguf" onChange={(e) => setSource(e.target.value)} />
        <input
          id="download-sha256"
          aria-label="Expected sha256 (optional)"
          value={sha256}
          placeholder="sha256 (optional)"
          onChange={(e) => setSha256(e.target.value)}
        />
        <button type="submit" disabled={!source.trim()}>
          Download
        </button>
      </form>
      <HfTokenForm />
      <h2 id="catalog-heading">Catalog</h2>
      <CatalogList items={catalog} queuedIds={queuedIds} />
    </section>
  )
}
