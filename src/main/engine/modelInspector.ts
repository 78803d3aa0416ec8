import { basename } from 'node:path'
import { cpus, freemem, totalmem } from 'node:os'
import { stat } from 'node:fs/promises'
import { GgufInsights, readGgufFileInfo, type GgufFileInfo, type Llama } from 'node-llama-cpp'
import type { HardwareInfo, ModelFit } from '../../shared/models.js'
import { AppError } from '../../shared/result.js'
import { CHAT_CONTEXT } from './contextSizing.js'

const REMOTE_HEADER_TIMEOUT_MS = 20_000

/**
 * Estimates where a model runs on this machine with node-llama-cpp's own resolver (the one behind its
 * `inspect estimate` command), from the GGUF header alone: a local path, or an http(s) URL before a
 * byte of the weights is downloaded.
 */
export async function inspectModel(llama: Llama, source: string): Promise<ModelFit> {
  const remote = /^https?:\/\//i.test(source)
  const info = await readGgufFileInfo(source, {
    sourceType: remote ? 'network' : 'filesystem',
    // An unreachable host must not keep a list waiting for minutes of library retries.
    ...(remote ? { signal: AbortSignal.timeout(REMOTE_HEADER_TIMEOUT_MS), fetchRetryOptions: { retries: 1 } } : {}),
  }).catch((error: unknown) => {
    throw new AppError('MODEL_INVALID', `The header of ${basename(source)} could not be read (${reason(error)}).`)
  })
  const insights = await GgufInsights.from(info, llama)
  if (!remote) assertComplete(source, (await stat(source)).size, info, insights)
  // The context and attention a chat load gets (see `contextPlan`, `LlamaRuntime.load`), so the estimate matches it.
  const trained = insights.trainContextSize ?? CHAT_CONTEXT
  const { compatibilityScore, resolvedValues } = await insights.configurationResolver.resolveAndScoreConfig({
    targetContextSize: Math.min(CHAT_CONTEXT, trained),
    flashAttention: 'auto',
  })
  const totalLayers = insights.totalLayers
  const gpuLayers = llama.gpu === false ? 0 : resolvedValues.gpuLayers
  const kind: ModelFit['kind'] =
    compatibilityScore <= 0 ? 'too-large' : gpuLayers === 0 ? 'cpu' : gpuLayers >= totalLayers ? 'gpu-full' : 'gpu-partial'
  return {
    kind,
    gpuLayers,
    totalLayers,
    contextSize: resolvedValues.contextSize,
    ramBytes: resolvedValues.totalRamUsage,
    vramBytes: resolvedValues.totalVramUsage,
    note: kind === 'too-large' ? 'Needs more memory than this PC has free.' : null,
  }
}

/**
 * Throws when a file is shorter than its header says: llama.cpp only reports "failed to load" for a
 * cut-off download, so the check happens before loading and before a download is registered.
 */
export function assertComplete(path: string, size: number, info: GgufFileInfo, insights: GgufInsights): void {
  const needed = (info.infoEndOffset ?? 0) + insights.modelSize
  if (info.splicedParts === 1 && size < needed) {
    throw new AppError('MODEL_INVALID', `${basename(path)} is incomplete (${size} of at least ${needed} bytes); download it again.`)
  }
}

/** The GPU, VRAM, RAM and cores llama.cpp sees. */
export async function inspectHardware(llama: Llama, cpuCores: number): Promise<HardwareInfo> {
  const vram = llama.gpu === false ? { total: 0, free: 0 } : await llama.getVramState()
  const gpuNames = llama.gpu === false ? [] : await llama.getGpuDeviceNames().catch(() => [])
  return {
    gpu: llama.gpu === false ? null : llama.gpu,
    gpuNames,
    vramTotalBytes: vram.total,
    vramFreeBytes: vram.free,
    ramTotalBytes: totalmem(),
    ramFreeBytes: freemem(),
    cpuCores: cpuCores || cpus().length,
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
