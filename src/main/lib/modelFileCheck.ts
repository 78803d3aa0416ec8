import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { AppError } from '../../shared/result.js'
import { checkGgufHeader } from './ggufHeader.js'

/**
 * Checks that `path` is a model the engine can be asked to load: it exists, is a regular file, can be read,
 * and has a sound GGUF header. Runs before anything is unloaded, so a mistyped path or a wrong file costs
 * the model that is loaded nothing. Throws one sentence saying what is wrong.
 */
export async function checkModelFile(path: string): Promise<void> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EACCES' || error.code === 'EPERM') throw unreadable(path)
    throw new AppError('NOT_FOUND', `No model file at ${path}; check the path.`)
  })
  if (info.isDirectory()) throw new AppError('MODEL_INVALID', `${path} is a folder; choose the .gguf file inside it.`)
  // A pipe or device is never opened: reading one would wait for a writer.
  if (!info.isFile()) throw new AppError('MODEL_INVALID', `${path} is not a regular file, so it cannot be a model.`)
  await access(path, constants.R_OK).catch(() => {
    throw unreadable(path)
  })
  await checkGgufHeader(path)
}

function unreadable(path: string): AppError {
  return new AppError('MODEL_INVALID', `GridForge is not allowed to read ${path}; check the file's permissions.`)
}
