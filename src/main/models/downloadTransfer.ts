import { type RemoteFileInfo, transferToFile, type TransferOptions, type TransferResult } from './httpTransfer.js'
import { keepCompletePrefix, RangesRefused, rangedTransferToFile, type RangedSettings } from './rangedTransfer.js'

/** When a file comes in parallel parts. */
export interface PartsPolicy extends RangedSettings {
  /** Smaller files come in one stream: parts only pay off once a transfer lasts long enough to ramp up several connections. */
  minBytes: number
}

/**
 * The app's choice: 4 connections (Hugging Face's CDN limits each; more buy little and cost the server), 32 MiB
 * segments (small enough that the hash trails the download by a few segments, large enough that a request
 * per segment costs nothing), for files of 64 MiB and up.
 */
export const DEFAULT_PARTS: PartsPolicy = {
  connections: 4,
  segmentBytes: 32 * 1024 * 1024,
  minBytes: 64 * 1024 * 1024,
  partRetries: 3,
  retryDelayMs: 1000,
}

/**
 * One attempt at a download: parallel ranged parts where the server said it serves ranges and the size is
 * known, one stream otherwise, and one stream also when a server turns out to refuse parts (it answers a
 * ranged request with the whole file), continuing from the bytes complete from the start.
 */
export async function downloadToFile(
  options: TransferOptions & { remote: RemoteFileInfo; parts: PartsPolicy; onPartRetry?(why: string): void },
): Promise<TransferResult> {
  const size = options.remote.sizeBytes
  if (options.remote.acceptsRanges && size !== null && size >= options.parts.minBytes && options.parts.connections > 1) {
    try {
      return await rangedTransferToFile({ ...options, sizeBytes: size, settings: options.parts })
    } catch (error) {
      if (!(error instanceof RangesRefused)) throw error
    }
  }
  await keepCompletePrefix(options.partPath)
  return transferToFile(options)
}
