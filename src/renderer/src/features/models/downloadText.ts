import type { DownloadSnapshot } from '../../../../shared/models'
import { formatBytes } from '../../components/format'
import { formatEta } from './fitText'

/** How far a download is, as a share of 1; null when its size is not known yet. */
export function downloadShare(download: DownloadSnapshot): number | null {
  if (download.state === 'done') return 1
  return download.totalBytes ? download.receivedBytes / download.totalBytes : null
}

/**
 * A download's progress in one line: bytes, speed and time left while bytes arrive; what is wrong and when
 * the next try comes while it cannot connect ("… Retrying in 8 s, attempt 3 of 6."), never a bare "0 MB".
 */
export function describeDownload(download: DownloadSnapshot): string {
  if (download.error) return download.error
  const total = download.totalBytes
  if (download.state === 'queued') return 'Waiting to start…'
  if (download.state === 'downloading' && download.receivedBytes === 0) return 'Connecting to the model host…'
  const percent = total ? Math.floor((download.receivedBytes / total) * 100) : null
  const bytes = `${formatBytes(download.receivedBytes)} of ${total ? formatBytes(total) : 'unknown size'}${percent !== null ? ` (${percent}%)` : ''}`
  if (download.state !== 'downloading') return bytes
  const speed = download.bytesPerSecond > 0 ? ` · ${formatBytes(download.bytesPerSecond)}/s` : ''
  const eta = download.etaSeconds !== null ? ` · ${formatEta(download.etaSeconds)} left` : ''
  return `${bytes}${speed}${eta}`
}
