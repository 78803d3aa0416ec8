/** How a chat template is formatted, for grid prompts and the catalog. */
export type TemplateFamily = 'chatml' | 'llama3' | 'mistral' | 'gemma' | 'phi3' | 'harmony'

/** One curated model in `resources/catalog.json`. */
export interface CatalogEntry {
  id: string
  name: string
  publisher: string
  description: string
  /** `hf:<user>/<repo>/<file>` (optionally `#<branch>`) or an https URL. */
  uri: string
  fileName: string
  sizeBytes: number
  /** Known in advance, or null: then the server's advertised sha256 is used, and the computed one recorded. */
  sha256: string | null
  license: string
  parameters: number
  contextLength: number
  quantization: string
  templateFamily: TemplateFamily
  /** Catalog ids of larger models of the same family this one can draft chat replies for. */
  draftFor?: string[]
  /** The model names this file is advertised under on each grid. */
  advertised: { aipg: string; horde: string }
}

/** The machine as llama.cpp sees it. */
export interface HardwareInfo {
  /** The GPU backend in use (`cuda`, `vulkan`, `metal`), or null when running on the CPU only. */
  gpu: string | null
  gpuNames: string[]
  vramTotalBytes: number
  vramFreeBytes: number
  ramTotalBytes: number
  ramFreeBytes: number
  cpuCores: number
}

/** Where a model would run on this machine, estimated by node-llama-cpp's GGUF insights. */
export type FitKind = 'gpu-full' | 'gpu-partial' | 'cpu' | 'too-large' | 'unknown'

/**
 * How the note of an `unknown` fit starts when the model host could not be reached: the UI shows such a
 * fit as "Fit unknown: offline" and puts the models already on this PC first.
 */
export const OFFLINE_FIT_NOTE = 'Offline:'

/** Whether a model fits this machine, and how. */
export interface ModelFit {
  kind: FitKind
  gpuLayers: number
  totalLayers: number
  /** The context size the model would get. */
  contextSize: number
  ramBytes: number
  vramBytes: number
  /** Why the fit is unknown or too large, in words. */
  note: string | null
}

/** A catalog entry as the Models view shows it. */
export interface CatalogItem extends CatalogEntry {
  fit: ModelFit
  recommended: boolean
  /** The local model id when it is already downloaded. */
  localModelId: string | null
}

/** What the GGUF header says about a model. */
export interface GgufMetadata {
  name: string
  architecture: string | null
  quantization: string | null
  contextLength: number | null
  parameters: number | null
  hasChatTemplate: boolean
}

/** A registered GGUF file: downloaded by GridForge, or registered in place from another folder. */
export interface LocalModel {
  id: string
  path: string
  fileName: string
  sizeBytes: number
  /** True when GridForge downloaded it; only then does removing it delete the file. */
  owned: boolean
  source: string | null
  catalogId: string | null
  sha256: string | null
  metadata: GgufMetadata | null
  /** Null until estimated (the first listing after start). */
  fit: ModelFit | null
  /** False when the file has gone missing since it was registered. */
  present: boolean
  addedAt: number
}

/** A download's life cycle. */
export type DownloadState = 'queued' | 'downloading' | 'paused' | 'verifying' | 'failed' | 'done' | 'cancelled'

/** One download as the queue shows it. */
export interface DownloadSnapshot {
  id: string
  source: string
  catalogId: string | null
  fileName: string
  state: DownloadState
  receivedBytes: number
  totalBytes: number | null
  bytesPerSecond: number
  etaSeconds: number | null
  /** Retries after network errors so far in this attempt. */
  retries: number
  error: string | null
  modelId: string | null
  createdAt: number
}
