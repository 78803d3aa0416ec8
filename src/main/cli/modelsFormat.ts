import type { DownloadSnapshot, ModelFit } from '../../shared/models.js'

/** Bytes as gigabytes with one or two decimals. */
export function gb(bytes: number): string {
  return (bytes / 1e9).toFixed(bytes < 10e9 ? 2 : 1)
}

/** Bytes in the unit people read sizes in: MB below a gigabyte, GB above. */
export function size(bytes: number): string {
  return bytes < 1e9 ? `${(bytes / 1e6).toFixed(1)} MB` : `${gb(bytes)} GB`
}

/** A count such as a parameter count: 260K, 1.5B. */
export function count(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`
  if (n >= 1e6) return `${(n / 1e6).toFixed(0)}M`
  return `${(n / 1e3).toFixed(0)}K`
}

/** A fit estimate in a few words. */
export function fitLabel(fit: ModelFit): string {
  switch (fit.kind) {
    case 'gpu-full':
      return `runs fully on the GPU, ${fit.contextSize} context`
    case 'gpu-partial':
      return `partly on the GPU (${fit.gpuLayers}/${fit.totalLayers} layers), ${fit.contextSize} context`
    case 'cpu':
      return `runs on the CPU, ${fit.contextSize} context`
    case 'too-large':
      return 'too large for this PC'
    case 'unknown':
      return `fit unknown${fit.note ? ` (${fit.note})` : ''}`
  }
}

/** One line of download progress: a bar, percent, speed and time left. */
export function downloadLine(download: DownloadSnapshot): string {
  const total = download.totalBytes
  const fraction = total ? Math.min(1, download.receivedBytes / total) : 0
  const width = 24
  const bar = `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}]`
  const speed = download.bytesPerSecond > 0 ? `${(download.bytesPerSecond / 1e6).toFixed(1)} MB/s` : ''
  const eta = download.etaSeconds !== null ? `ETA ${duration(download.etaSeconds)}` : ''
  const state = download.state === 'downloading' ? '' : download.state
  const note = download.error ? `— ${download.error}` : ''
  return [
    bar,
    `${(fraction * 100).toFixed(0)}%`,
    `${size(download.receivedBytes)} of ${total ? size(total) : '?'}`,
    speed,
    eta,
    state,
    note,
  ]
    .filter(Boolean)
    .join(' ')
}

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`
}
