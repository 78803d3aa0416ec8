import type { CatalogEntry } from '../../shared/models.js'
import { AppError } from '../../shared/result.js'
import { hfFileUrl } from './catalog.js'

/** Where a download comes from, resolved from what the user typed. */
export interface ModelSource {
  /** What the user asked for, kept for display and for resuming. */
  source: string
  url: string
  fileName: string
  catalogId: string | null
  /** A checksum known before downloading (catalog or `--sha256`). */
  expectedSha256: string | null
}

/**
 * The name itself when it is a plain `.gguf` file name, null otherwise. Names with path separators, `..`
 * or control characters never reach the file system, so a download cannot write outside the models folder.
 */
export function safeFileName(name: string): string | null {
  if (name.length === 0 || name.length > 200) return null
  if (/[/\\:*?"<>|]/.test(name) || hasControlCharacter(name) || name.startsWith('.')) return null
  return name.toLowerCase().endsWith('.gguf') ? name : null
}

function hasControlCharacter(text: string): boolean {
  return [...text].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)
}

/** Resolves a catalog id, an `hf:<user>/<repo>/<file>.gguf` URI or an http(s) URL into a download source. */
export function resolveModelSource(input: string, catalog: readonly CatalogEntry[], sha256?: string | null): ModelSource {
  const source = input.trim()
  const expected = sha256 ? checkSha256(sha256) : null
  const entry = catalog.find((candidate) => candidate.id === source || candidate.uri === source)
  if (entry) {
    const url = hfFileUrl(entry.uri) ?? entry.uri
    return { source: entry.uri, url, fileName: entry.fileName, catalogId: entry.id, expectedSha256: expected ?? entry.sha256 }
  }
  if (source.startsWith('hf:')) {
    const url = hfFileUrl(source)
    if (!url) {
      throw new AppError(
        'BAD_REQUEST',
        'Hugging Face sources are hf:<user>/<repo>[:<quant>] or hf:<user>/<repo>/<file>.gguf (optionally #<branch>).',
      )
    }
    return { source, url, fileName: fileNameOf(url), catalogId: null, expectedSha256: expected }
  }
  if (/^https?:\/\//i.test(source)) {
    let url: URL
    try {
      url = new URL(source)
    } catch {
      throw new AppError('BAD_REQUEST', `"${source}" is not a valid URL.`)
    }
    return { source, url: url.href, fileName: fileNameOf(url.href), catalogId: null, expectedSha256: expected }
  }
  throw new AppError('BAD_REQUEST', `"${source}" is not a catalog model, an hf: URI or an http(s) URL.`)
}

function fileNameOf(url: string): string {
  const last = new URL(url).pathname.split('/').pop() ?? ''
  let decoded: string
  try {
    decoded = decodeURIComponent(last)
  } catch {
    decoded = ''
  }
  const name = safeFileName(decoded)
  if (!name) throw new AppError('BAD_REQUEST', `The URL does not end in a plain .gguf file name ("${decoded || last}").`)
  return name
}

function checkSha256(value: string): string {
  const hex = value.trim().toLowerCase()
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new AppError('BAD_REQUEST', 'A sha256 checksum is 64 hexadecimal characters.')
  return hex
}
