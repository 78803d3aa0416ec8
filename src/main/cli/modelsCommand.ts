import { dataPaths } from '../host/dataDir.js'
import { listLocalModels } from '../models/localModels.js'
import { summarizeGguf } from '../models/ggufSummary.js'
import { UsageError } from './usage.js'

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`

/** `gridforge models list | info <path|url>`. */
export async function modelsCommand(dataDir: string, args: string[]): Promise<void> {
  const [action, target] = args
  if (action === 'list') {
    const models = await listLocalModels(dataPaths(dataDir).models)
    if (models.length === 0) process.stdout.write(`No models in ${dataPaths(dataDir).models}\n`)
    for (const model of models) process.stdout.write(`${model.fileName}  ${mb(model.sizeBytes)}  ${model.path}\n`)
    return
  }
  if (action === 'info') {
    if (!target) throw new UsageError('models info needs a GGUF path or URL.')
    const summary = await summarizeGguf(target)
    const rows: Array<[string, string]> = [
      ['name', summary.name],
      ['architecture', summary.architecture ?? 'unknown'],
      ['parameters', summary.parameters === null ? 'unknown' : `${(summary.parameters / 1e6).toFixed(2)} M`],
      ['quantization', summary.quantization ?? 'unknown'],
      ['context length', summary.contextLength === null ? 'unknown' : String(summary.contextLength)],
      ['chat template', summary.hasChatTemplate ? 'yes' : 'no (text continuation)'],
      ['size', summary.sizeBytes === null ? 'remote' : mb(summary.sizeBytes)],
    ]
    for (const [key, value] of rows) process.stdout.write(`${key.padEnd(15)}${value}\n`)
    return
  }
  throw new UsageError('Usage: gridforge models list | info <path|url>')
}
