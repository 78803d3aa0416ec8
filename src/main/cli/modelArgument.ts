import { existsSync, statSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { UsageError } from './usage.js'

/** Resolves `--model PATH|NAME`: a file path, or a file name in the models folder. */
export function resolveModelArgument(value: string | undefined, modelsDir: string): string {
  if (!value) throw new UsageError('--model PATH is required.')
  const candidates = [resolve(value), join(modelsDir, value), join(modelsDir, `${value}.gguf`)]
  const found = candidates.find((path) => existsSync(path) && statSync(path).isFile())
  if (!found) throw new UsageError(`No model file "${value}" (looked for a path and in ${modelsDir}).`)
  return found
}

/** The model's name without folder and `.gguf`, e.g. `stories260K`. */
export function modelStem(path: string): string {
  return basename(path).replace(/\.gguf$/i, '')
}
