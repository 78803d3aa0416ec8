import { existsSync, readdirSync, statSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { UsageError } from './usage.js'

/** Resolves `--model PATH|NAME|ID`: a file path, or a file name or model id in the models folder. */
export function resolveModelArgument(value: string | undefined, modelsDir: string): string {
  if (!value) throw new UsageError('--model PATH is required.')
  const candidates = [resolve(value), join(modelsDir, value), join(modelsDir, `${value}.gguf`)]
  const found = candidates.find((path) => existsSync(path) && statSync(path).isFile()) ?? byModelId(value, modelsDir)
  if (!found) throw new UsageError(`No model file "${value}" (looked for a path and in ${modelsDir}).`)
  return found
}

/** A model id as `gridforge models list` shows it: the file's stem in lower case. */
function byModelId(id: string, modelsDir: string): string | undefined {
  const wanted = id.toLowerCase()
  const name = (existsSync(modelsDir) ? readdirSync(modelsDir) : []).find(
    (file) => file.toLowerCase().endsWith('.gguf') && file.slice(0, -'.gguf'.length).toLowerCase() === wanted,
  )
  return name ? join(modelsDir, name) : undefined
}

/** The model's name without folder and `.gguf`, e.g. `stories260K`. */
export function modelStem(path: string): string {
  return basename(path).replace(/\.gguf$/i, '')
}
