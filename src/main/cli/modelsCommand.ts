import { headlessSecrets } from './headlessSecrets.js'
import type { DownloadSnapshot, LocalModel } from '../../shared/models.js'
import { AppError } from '../../shared/result.js'
import { forkLauncher } from '../engine/forkLauncher.js'
import { createHost, type Host } from '../host/createHost.js'
import { summarizeGguf } from '../models/ggufSummary.js'
import { count, downloadLine, fitLabel, gb, size } from './modelsFormat.js'
import { UsageError } from './usage.js'
import { onStopSignals } from './stopSignals.js'

/** Options of `gridforge models`. */
export interface ModelsOptions {
  dataDir: string
  args: string[]
  sha256?: string
  version: string
  engineEntry: string
}

const USAGE = 'Usage: gridforge models list | pull <catalog-id|hf:…|https://…> [--sha256 HEX] | add <path> | rm <id> | info <path|url>'

/** `gridforge models list | pull | add | rm | info`. */
export async function modelsCommand(options: ModelsOptions): Promise<void> {
  const [action, target] = options.args
  if (action === 'info') {
    if (!target) throw new UsageError('models info needs a GGUF path or URL.')
    return printInfo(target)
  }
  if (!action || !['list', 'pull', 'add', 'rm'].includes(action)) throw new UsageError(USAGE)
  if (action !== 'list' && !target) throw new UsageError(`models ${action} needs an argument. ${USAGE}`)
  const host = createHost({
    dataDir: options.dataDir,
    shell: 'headless',
    version: options.version,
    launchEngine: forkLauncher(options.engineEntry),
    hfEndpoint: process.env.HF_ENDPOINT,
    ownsData: false,
    secrets: headlessSecrets(options.dataDir, 'gridforge models'),
  })
  try {
    if (action === 'list') await list(host)
    else if (action === 'pull') await pull(host, target!, options.sha256)
    else if (action === 'add') await add(host, target!)
    else await remove(host, target!)
  } finally {
    await host.close()
  }
}

async function list(host: Host): Promise<void> {
  const [models, hardware] = await Promise.all([
    host.models.listLocal({ waitForEstimates: true }),
    host.models.hardware().catch(() => null),
  ])
  const out = process.stdout
  if (hardware) {
    const gpu = hardware.gpu ? `${hardware.gpuNames.join(', ') || hardware.gpu} (${gb(hardware.vramFreeBytes)} GB VRAM free)` : 'no GPU'
    out.write(`This PC: ${gpu}, ${gb(hardware.ramTotalBytes)} GB RAM, ${hardware.cpuCores} cores\n\n`)
  }
  out.write(models.length === 0 ? `No models yet (${host.paths.models}).\n` : 'Local models:\n')
  for (const model of models) out.write(`  ${localLine(model)}\n`)
  out.write('\nCatalog (gridforge models pull <id>):\n')
  for (const item of await host.models.catalog({ waitForEstimates: true })) {
    const mark = item.recommended ? ' ★ recommended' : ''
    const have = item.localModelId ? ' (downloaded)' : ''
    out.write(`  ${item.id.padEnd(32)} ${size(item.sizeBytes).padStart(8)}  ${fitLabel(item.fit)}${have}${mark}\n`)
  }
}

function localLine(model: LocalModel): string {
  const meta = model.metadata
  const facts = [
    size(model.sizeBytes),
    meta?.quantization ?? null,
    meta?.parameters ? `${count(meta.parameters)} parameters` : null,
    model.fit ? fitLabel(model.fit) : null,
    model.present ? null : 'MISSING',
  ].filter(Boolean)
  return `${model.id.padEnd(36)} ${facts.join(', ')}\n    ${model.path}`
}

async function pull(host: Host, source: string, sha256: string | undefined): Promise<void> {
  const tty = process.stdout.isTTY === true
  let lastLine = ''
  let lastPlain = 0
  let startedId: string | null = null
  let lastState = ''
  const finished = new Promise<DownloadSnapshot>((resolve) => {
    host.models.on('models.downloads', (downloads) => {
      const download = downloads.find((d) => d.id === startedId)
      if (!download) return
      if (download.state === 'done' || download.state === 'failed' || download.state === 'paused') resolve(download)
      const line = downloadLine(download)
      const stateChanged = download.state !== lastState
      lastState = download.state
      if (tty) process.stdout.write(`\r${line.padEnd(lastLine.length)}`)
      else if ((stateChanged || Date.now() - lastPlain >= 2000) && line !== lastLine) {
        process.stdout.write(`${line}\n`)
        lastPlain = Date.now()
      }
      lastLine = line
    })
  })
  const started = await host.models.enqueueDownload(source, sha256 ?? null)
  startedId = started.id
  process.stdout.write(`Downloading ${started.fileName} into ${host.paths.models}\n`)
  const stopOnSignal = () => void host.models.downloads.pause(started.id)
  const stopListening = onStopSignals(stopOnSignal)
  const result = await finished
  stopListening()
  if (tty) process.stdout.write('\n')
  if (result.state === 'paused') {
    process.stdout.write('Paused; run the same command again to resume where it stopped.\n')
    return
  }
  if (result.state === 'failed') {
    // A download that never got a byte is not worth keeping in the app's queue.
    if (result.receivedBytes === 0) await host.models.downloads.cancel(result.id)
    throw new AppError('INTERNAL', result.error ?? 'The download failed.')
  }
  process.stdout.write(`Done: model "${result.modelId}" is ready (sha256 verified).\n`)
}

async function add(host: Host, path: string): Promise<void> {
  const result = await host.models.register(path)
  for (const model of result.added) process.stdout.write(`Registered ${model.id}  ${model.path}\n`)
  for (const skipped of result.skipped) process.stdout.write(`Skipped ${skipped.path}: ${skipped.reason}\n`)
}

async function remove(host: Host, reference: string): Promise<void> {
  const model = host.models.registry.find(reference)
  if (!model) throw new UsageError(`No model "${reference}" is registered; see gridforge models list.`)
  const { fileDeleted } = await host.models.remove(model.id)
  process.stdout.write(
    fileDeleted ? `Removed ${model.id} and deleted ${model.path}\n` : `Removed ${model.id}; the file stays at ${model.path}\n`,
  )
}

async function printInfo(target: string): Promise<void> {
  const summary = await summarizeGguf(target)
  const rows: Array<[string, string]> = [
    ['name', summary.name],
    ['architecture', summary.architecture ?? 'unknown'],
    ['parameters', summary.parameters === null ? 'unknown' : `${(summary.parameters / 1e6).toFixed(2)} M`],
    ['quantization', summary.quantization ?? 'unknown'],
    ['context length', summary.contextLength === null ? 'unknown' : String(summary.contextLength)],
    ['chat template', summary.hasChatTemplate ? 'yes' : 'no (text continuation)'],
    ['size', summary.sizeBytes === null ? 'remote' : `${(summary.sizeBytes / 1e6).toFixed(1)} MB`],
  ]
  for (const [key, value] of rows) process.stdout.write(`${key.padEnd(15)}${value}\n`)
}
