import { constants } from 'node:fs'
import { open, readdir, readFile, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'

/** A GGUF file found on disk, with the name to show for it. */
export interface FoundModel {
  path: string
  fileName: string
}

const MAX_DEPTH = 4
const SPLIT_PART = /-(\d{5})-of-\d{5}\.gguf$/i

/**
 * True for a regular file (or a link to one). A FIFO or device named `*.gguf` is not: opening a FIFO for
 * reading waits for a writer, and each such wait holds one of libuv's four threads, which every file and
 * DNS operation of the host shares.
 */
export async function isRegularFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  )
}

/** True when the path is a regular file that starts with the GGUF magic bytes. */
export async function isGgufFile(path: string): Promise<boolean> {
  // Non-blocking, and checked on the opened file: a pipe swapped in after `isRegularFile` still never blocks.
  const file = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)).catch(() => null)
  if (!file) return false
  try {
    if (!(await file.stat()).isFile()) return false
    const { buffer, bytesRead } = await file.read(Buffer.alloc(4), 0, 4, 0)
    return bytesRead === 4 && buffer.toString('latin1') === 'GGUF'
  } finally {
    await file.close()
  }
}

/**
 * The GGUF models in a folder: `.gguf` files up to four levels down (LM Studio keeps
 * `publisher/repo/file.gguf`), only the first part of split models, and an Ollama store's models by their
 * Ollama names (its blobs have no extension).
 */
export async function findModels(dir: string): Promise<FoundModel[]> {
  const found = [...(await findGgufFiles(dir)), ...(await findOllamaModels(dir))]
  return found.sort((a, b) => a.fileName.localeCompare(b.fileName))
}

async function findGgufFiles(root: string): Promise<FoundModel[]> {
  const found: FoundModel[] = []
  const visit = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
    for (const entry of entries) {
      const path = join(dir, entry.name)
      if (entry.isDirectory() && depth < MAX_DEPTH && !entry.name.startsWith('.')) await visit(path, depth + 1)
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.gguf')) {
        const part = SPLIT_PART.exec(entry.name)
        if (!part || part[1] === '00001') found.push({ path, fileName: entry.name })
      }
    }
  }
  await visit(root, 0)
  return found
}

/** Ollama: `manifests/<registry>/<namespace>/<model>/<tag>` JSON files point at `blobs/sha256-<hex>`. */
async function findOllamaModels(root: string): Promise<FoundModel[]> {
  const manifests = join(root, 'manifests')
  const isStore = await stat(manifests).then(
    (s) => s.isDirectory(),
    () => false,
  )
  if (!isStore) return []
  const found: FoundModel[] = []
  const visit = async (dir: string, depth: number): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, entry.name)
      if (entry.isDirectory() && depth < MAX_DEPTH) await visit(path, depth + 1)
      else if (entry.isFile()) {
        const blob = await modelBlobOf(path, root)
        const [model, tag] = relative(manifests, path).split(sep).slice(-2)
        if (blob && model && tag) found.push({ path: blob, fileName: `${model}-${tag}.gguf` })
      }
    }
  }
  await visit(manifests, 0)
  return found
}

async function modelBlobOf(manifestPath: string, root: string): Promise<string | null> {
  try {
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { layers?: Array<{ mediaType?: string; digest?: string }> }
    const layer = manifest.layers?.find((l) => l.mediaType === 'application/vnd.ollama.image.model')
    if (!layer?.digest || !/^sha256:[0-9a-f]{64}$/.test(layer.digest)) return null
    const blob = join(root, 'blobs', layer.digest.replace(':', '-'))
    return (await isGgufFile(blob)) ? blob : null
  } catch {
    return null
  }
}
