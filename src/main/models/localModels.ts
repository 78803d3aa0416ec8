import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { LocalModel } from '../../shared/domain.js'

/** Lists the `.gguf` files in the models folder and its direct subfolders, largest first. */
export async function listLocalModels(modelsDir: string): Promise<LocalModel[]> {
  const found: LocalModel[] = []
  const visit = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
    for (const entry of entries) {
      const path = join(dir, entry.name)
      if (entry.isDirectory() && depth > 0) await visit(path, depth - 1)
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.gguf')) {
        const info = await stat(path).catch(() => null)
        if (info) found.push({ path, fileName: entry.name, sizeBytes: info.size })
      }
    }
  }
  await visit(modelsDir, 1)
  return found.sort((a, b) => a.fileName.localeCompare(b.fileName))
}
