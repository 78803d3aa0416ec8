import { z } from 'zod'
import { AppError } from '../../shared/result.js'

const REPO_URI = /^hf:([\w.-]+)\/([\w.-]+)(?::([\w.-]+))?$/
const SPLIT_PART = /-(\d{5})-of-\d{5}\.gguf$/i
/** The quantization most GGUF repos are downloaded in; picked when a repo URI names none. */
const DEFAULT_QUANT = 'Q4_K_M'

const repoInfoSchema = z.object({ siblings: z.array(z.object({ rfilename: z.string() })) })

/** True for `hf:<user>/<repo>` and `hf:<user>/<repo>:<quant>` (a repo, not one of its files). */
export function isHfRepoUri(source: string): boolean {
  return REPO_URI.test(source.trim())
}

/**
 * Resolves `hf:<user>/<repo>[:<quant>]` to the GGUF file it means, as `hf:<user>/<repo>/<file>`, from the
 * repo's file list (Hugging Face's model API): the file whose name carries the quantization, Q4_K_M when
 * none is given.
 */
export async function resolveHfRepoUri(
  source: string,
  endpoint: string,
  headers: Record<string, string>,
  fetchImpl: typeof fetch = fetch,
): Promise<string> {
  const match = REPO_URI.exec(source.trim())
  if (!match) throw new AppError('BAD_REQUEST', `"${source}" is not an hf:<user>/<repo>[:<quant>] URI.`)
  const [, user, repo, quant] = match
  const url = `${endpoint.replace(/\/$/, '')}/api/models/${user}/${repo}`
  const response = await fetchImpl(url, { headers, signal: AbortSignal.timeout(20_000) }).catch(() => {
    throw new AppError('NOT_FOUND', `Hugging Face could not be reached to list ${user}/${repo}.`)
  })
  if (response.status === 401 || response.status === 403 || response.status === 404) {
    throw new AppError('NOT_FOUND', `Hugging Face has no model ${user}/${repo} (or it is gated: add a token).`)
  }
  const info = repoInfoSchema.safeParse(await response.json().catch(() => null))
  if (!response.ok || !info.success) throw new AppError('NOT_FOUND', `Hugging Face did not list the files of ${user}/${repo}.`)
  const ggufs = info.data.siblings
    .map((sibling) => sibling.rfilename)
    .filter((name) => name.toLowerCase().endsWith('.gguf') && !/mmproj/i.test(name))
  if (ggufs.length === 0) throw new AppError('NOT_FOUND', `${user}/${repo} has no GGUF files.`)
  const wanted = (quant ?? DEFAULT_QUANT).toLowerCase()
  const matching = ggufs.filter((name) => new RegExp(`(^|[-._/])${escape(wanted)}([-._]|$)`, 'i').test(name.replace(/\.gguf$/i, '') + '.'))
  const candidates = matching.length > 0 ? matching : quant === undefined && ggufs.length === 1 ? ggufs : []
  const file = [...candidates].sort((a, b) => a.length - b.length)[0]
  if (!file) {
    const available = [...new Set(ggufs.map(quantOf).filter(Boolean))].join(', ')
    throw new AppError('NOT_FOUND', `${user}/${repo} has no ${quant ?? DEFAULT_QUANT} file${available ? ` (it has ${available})` : ''}.`)
  }
  const part = SPLIT_PART.exec(file)
  if (part) throw new AppError('BAD_REQUEST', `${file} is split into parts, which GridForge cannot download yet.`)
  return `hf:${user}/${repo}/${file}`
}

function quantOf(name: string): string {
  return /(?:^|[-._])((?:IQ|Q)\d(?:_[A-Z0-9]+)*|BF16|F16|F32)(?=\.gguf$|[-.])/i.exec(name)?.[1]?.toUpperCase() ?? ''
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
