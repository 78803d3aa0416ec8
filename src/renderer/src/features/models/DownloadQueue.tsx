import type { DownloadSnapshot } from '../../../../shared/models'
import { cancelDownload, pauseDownload, resumeDownload } from '../../api/modelsState'
import { describeDownload, downloadShare } from './downloadText'

const STATE_WORDS: Record<DownloadSnapshot['state'], string> = {
  queued: 'Waiting',
  downloading: 'Downloading',
  paused: 'Paused',
  verifying: 'Verifying',
  failed: 'Failed',
  done: 'Done',
  cancelled: 'Cancelled',
}

/** The download queue: progress bars with speed and time left, and pause, resume, cancel. */
export function DownloadQueue({ downloads }: { downloads: DownloadSnapshot[] }) {
  if (downloads.length === 0) return null
  return (
    <section className="downloads" aria-label="Downloads">
      <h2>Downloads</h2>
      <ul>
        {downloads.map((download) => {
          const share = downloadShare(download)
          const failed = download.state === 'failed'
          return (
            <li key={download.id} data-download-state={download.state}>
              <div className="download-head">
                <strong>{download.fileName}</strong>
                <span className="download-state">{STATE_WORDS[download.state]}</span>
              </div>
              <progress
                max={100}
                value={share === null ? undefined : Math.floor(share * 100)}
                aria-label={`${download.fileName} progress`}
              />
              <p
                className={failed ? 'download-error' : download.error ? 'download-note' : 'download-facts'}
                role={failed ? 'alert' : undefined}
              >
                {describeDownload(download)}
              </p>
              <div className="download-actions">
                {(download.state === 'downloading' || download.state === 'queued') && (
                  <button type="button" onClick={() => void pauseDownload(download.id)}>
                    Pause
                  </button>
                )}
                {(download.state === 'paused' || download.state === 'failed') && (
                  <button type="button" onClick={() => void resumeDownload(download.id)}>
                    {download.state === 'failed' ? 'Retry' : 'Resume'}
                  </button>
                )}
                {download.state !== 'done' && (
                  <button type="button" onClick={() => void cancelDownload(download.id)}>
                    Cancel
                  </button>
                )}
              </div>
            </li>
          )
        })}
      </ul>
    </section>
  )
}
