import { getLlama, LlamaLogLevel, readGgufFileInfo } from 'node-llama-cpp'
import { describe, expect, it } from 'vitest'
import { kvBytesPerToken } from '../../src/main/engine/contextSizing.js'
import { testModel } from '../support/gguf/testModels.js'
import { tinyModel } from '../support/paths.js'

const MiB = 1024 * 1024
const lines: string[] = []
// getLlama hands every caller the same instance, with the logger of the first.
const logging = getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.info, logger: (_level, line) => lines.push(line) })

async function logLine(pattern: RegExp): Promise<RegExpExecArray | undefined> {
  for (let tick = 0; tick < 100; tick++) {
    const found = lines.map((line) => pattern.exec(line)).find((match) => match !== null)
    if (found) return found
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return undefined
}

/**
 * The KV cache figure contexts are sized from is what llama.cpp itself allocates: its log line
 * "KV buffer size = N MiB" for a context of two sequences, on two model shapes (head dimension derived
 * from the embedding, and given by the file).
 */
describe('the KV cache per token from the model shape', () => {
  it.each([
    ['the story model', tinyModel],
    ['the generated Qwen3', testModel('qwen3')],
  ])('matches what llama.cpp allocates for %s', async (_name, path) => {
    lines.length = 0
    const llama = await logging
    const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 })
    const context = await model.createContext({ contextSize: 1024, sequences: 2, threads: 1 })
    try {
      // llama.cpp's log lines reach JavaScript through the event loop, after the context is made.
      const logged = await logLine(/KV buffer size =\s*([\d.]+) MiB/)
      expect(logged).toBeTruthy()
      const computed = (kvBytesPerToken(await readGgufFileInfo(path)) * context.contextSize * 2) / MiB
      expect(Math.abs(computed - Number(logged![1]))).toBeLessThan(0.01)
    } finally {
      await context.dispose()
      await model.dispose()
    }
  })
})
