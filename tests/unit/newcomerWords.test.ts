import { describe, expect, it } from 'vitest'
import { OFFLINE_FIT_NOTE, type DownloadSnapshot, type ModelFit } from '../../src/shared/models.js'
import { serveCommandFor } from '../../src/renderer/src/components/serveCommand.js'
import { describeDownload } from '../../src/renderer/src/features/models/downloadText.js'
import { fitBadge, isOffline } from '../../src/renderer/src/features/models/fitText.js'

const download = (change: Partial<DownloadSnapshot>): DownloadSnapshot => ({
  id: 'd1',
  source: 'qwen2.5-0.5b',
  catalogId: 'qwen2.5-0.5b',
  fileName: 'qwen.gguf',
  state: 'downloading',
  receivedBytes: 0,
  totalBytes: null,
  bytesPerSecond: 0,
  etaSeconds: null,
  retries: 0,
  error: null,
  modelId: null,
  createdAt: 0,
  ...change,
})

describe('a download in words', () => {
  it('says it is connecting before the first byte, never "0 MB"', () => {
    expect(describeDownload(download({}))).toBe('Connecting to the model host…')
  })

  it('says why it cannot connect and when it tries again', () => {
    const note = 'huggingface.co did not answer in time; the network may be down or very slow. Retrying in 8 s, attempt 3 of 6.'
    expect(describeDownload(download({ error: note, retries: 3 }))).toBe(note)
  })

  it('shows bytes, speed and time left while bytes arrive', () => {
    expect(
      describeDownload(download({ receivedBytes: 120_000_000, totalBytes: 491_000_000, bytesPerSecond: 2_000_000, etaSeconds: 186 })),
    ).toBe('120 MB of 491 MB (24%) · 2.0 MB/s · 3 min 6 s left')
  })
})

describe('fit badges', () => {
  const unknown = (note: string): ModelFit => ({
    kind: 'unknown',
    gpuLayers: 0,
    totalLayers: 0,
    contextSize: 0,
    ramBytes: 0,
    vramBytes: 0,
    note,
  })

  it('an unreachable model host reads "Fit unknown: offline" with the host in the detail', () => {
    const fit = unknown(`${OFFLINE_FIT_NOTE} huggingface.co could not be reached, so whether it fits is not known yet.`)
    expect(isOffline(fit)).toBe(true)
    expect(fitBadge(fit)).toEqual({
      label: 'Fit unknown: offline',
      tone: 'unknown',
      detail: 'huggingface.co could not be reached, so whether it fits is not known yet.',
    })
  })

  it('a header that could not be read for another reason is not called offline', () => {
    const fit = unknown('The header of x.gguf could not be read (HTTP 404).')
    expect(isOffline(fit)).toBe(false)
    expect(fitBadge(fit).label).toBe('Fit unknown')
  })
})

describe('the command a stopped server is started with', () => {
  it('names the port and address only when they are not the defaults', () => {
    expect(serveCommandFor({ hostname: '127.0.0.1', port: '5199' })).toBe('gridforge serve')
    expect(serveCommandFor({ hostname: '127.0.0.1', port: '6001' })).toBe('gridforge serve --port 6001')
    expect(serveCommandFor({ hostname: '192.168.1.20', port: '5199' })).toBe('gridforge serve --host 192.168.1.20')
    expect(serveCommandFor({ hostname: '[::1]', port: '' })).toBe('gridforge serve')
  })
})
