import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { GgufFileType, readGgufFileInfo } from 'node-llama-cpp'
import { AppError } from '../../shared/result.js'
import { checkGgufHeader, GgufHeaderError } from '../lib/ggufHeader.js'

/** What a person wants to know about a GGUF file before loading it. */
export interface GgufSummary {
  name: string
  architecture: string | null
  quantization: string | null
  contextLength: number | null
  parameters: number | null
  hasChatTemplate: boolean
  sizeBytes: number | null
}

/** Reads a GGUF header (a local path, or an https URL without downloading the weights). */
export async function summarizeGguf(source: string): Promise<GgufSummary> {
  const remote = /^https?:\/\//.test(source)
  if (!remote) {
    await checkGgufHeader(source).catch((error: unknown) => {
      if (!(error instanceof GgufHeaderError)) throw error
      throw new AppError('MODEL_INVALID', `${basename(source)} could not be read as a GGUF model (${error.problem}).`)
    })
  }
  const info = await readGgufFileInfo(source, { sourceType: remote ? 'network' : 'filesystem' }).catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error)
    throw new AppError('MODEL_INVALID', `${basename(source)} could not be read as a GGUF model (${reason}).`)
  })
  const metadata = info.metadata
  const architecture = metadata.general.architecture ?? null
  const fileType = metadata.general.file_type
  const parameters = info.tensorInfo?.reduce((sum, tensor) => sum + tensor.dimensions.reduce((n: number, d) => n * Number(d), 1), 0) ?? null
  return {
    name: metadata.general.name ?? basename(source),
    architecture,
    quantization: fileType === undefined ? null : (GgufFileType[fileType] ?? String(fileType)),
    contextLength: (info.architectureMetadata as { context_length?: number }).context_length ?? null,
    parameters,
    hasChatTemplate: typeof metadata.tokenizer?.chat_template === 'string',
    sizeBytes: remote ? null : (await stat(source)).size,
  }
}
