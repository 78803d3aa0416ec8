import { OFFLINE_FIT_NOTE, type HardwareInfo, type ModelFit } from '../../../../shared/models'
import { formatBytes } from '../../components/format'

/** A fit estimate as a short badge and a sentence. */
export function fitBadge(fit: ModelFit | null): { label: string; tone: 'good' | 'ok' | 'bad' | 'unknown'; detail: string } {
  if (!fit) return { label: 'Checking…', tone: 'unknown', detail: 'Estimating whether it fits this PC.' }
  const context = fit.contextSize > 0 ? `, ${fit.contextSize.toLocaleString()} tokens of context` : ''
  switch (fit.kind) {
    case 'gpu-full':
      return { label: 'Runs on GPU', tone: 'good', detail: `Fully on the GPU (${formatBytes(fit.vramBytes)} of VRAM)${context}.` }
    case 'gpu-partial':
      return {
        label: 'Partly on GPU',
        tone: 'ok',
        detail: `${fit.gpuLayers} of ${fit.totalLayers} layers on the GPU, the rest on the CPU${context}; slower than a model that fits.`,
      }
    case 'cpu':
      return { label: 'Runs on CPU', tone: 'ok', detail: `On the CPU, using about ${formatBytes(fit.ramBytes)} of memory${context}.` }
    case 'too-large':
      return { label: 'Too large', tone: 'bad', detail: fit.note ?? 'Needs more memory than this PC has free.' }
    case 'unknown':
      if (isOffline(fit)) return { label: 'Fit unknown: offline', tone: 'unknown', detail: fit.note!.slice(OFFLINE_FIT_NOTE.length).trim() }
      return { label: 'Fit unknown', tone: 'unknown', detail: fit.note ?? 'The model header could not be read.' }
  }
}

/** Whether a fit is unknown only because the model host could not be reached. */
export function isOffline(fit: ModelFit | null): boolean {
  return fit?.kind === 'unknown' && (fit.note ?? '').startsWith(OFFLINE_FIT_NOTE)
}

/** Whether a catalog fit is still being estimated (the host has not answered yet). */
export function isEstimating(fit: ModelFit): boolean {
  return fit.kind === 'unknown' && fit.note === 'Estimating…'
}

/** A model's size, and its fit when known, as one short phrase ("491 MB, runs on CPU"). */
export function sizeAndFit(sizeBytes: number, fit: ModelFit | null): string {
  return `${formatBytes(sizeBytes)}, ${fitBadge(fit).label.toLowerCase()}`
}

/** This PC in one line. */
export function describeHardware(hardware: HardwareInfo): string {
  const gpu = hardware.gpu
    ? `${hardware.gpuNames.join(', ') || hardware.gpu.toUpperCase()} with ${formatBytes(hardware.vramFreeBytes)} of ${formatBytes(hardware.vramTotalBytes)} VRAM free`
    : 'no usable GPU (models run on the CPU)'
  return `This PC: ${gpu}; ${formatBytes(hardware.ramTotalBytes)} RAM; ${hardware.cpuCores} CPU cores.`
}

/** Seconds as "2 min 5 s" / "1 h 3 min". */
export function formatEta(seconds: number): string {
  if (seconds < 60) return `${seconds} s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`
}
