import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EngineSupervisor } from '../../src/main/engine/engineSupervisor.js'
import type { EngineProcess, EngineReply, EngineRequest } from '../../src/main/engine/protocol.js'
import { checkGgufHeader } from '../../src/main/lib/ggufHeader.js'
import { summarizeGguf } from '../../src/main/models/ggufSummary.js'
import { writeGguf, type GgufFile } from '../support/gguf/ggufWriter.js'
import { tinyModel } from '../support/paths.js'
import { loadedModelAt } from '../support/fakeEngine.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gridforge-gguf-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const small: GgufFile = {
  metadata: [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'array', of: 'string', values: ['<s>', '</s>', 'a', 'b'] }],
    ['crafted.bytes', { type: 'array', of: 'uint8', values: [7] }],
  ],
  tensors: [{ name: 'crafted.weight', shape: [2, 2], type: 'f32', data: new Float32Array([1, 2, 3, 4]) }],
}

/** Writes `small`, then lets `patch` overwrite header fields found by the bytes that precede them. */
function crafted(name: string, patch: (bytes: Buffer) => void): string {
  const path = join(dir, name)
  writeGguf(path, small)
  const bytes = readFileSync(path)
  patch(bytes)
  writeFileSync(path, bytes)
  return path
}

/** The offset just past a GGUF string (u64 length, then the text). */
function after(bytes: Buffer, text: string): number {
  const at = bytes.indexOf(Buffer.from(text))
  if (at < 8) throw new Error(`${text} not in the file`)
  return at + text.length
}

const hugeDimensions = () => crafted('dims.gguf', (bytes) => bytes.writeUInt32LE(2 ** 31, after(bytes, 'crafted.weight')))
// After the key: the value type (array), the element type, then the u64 count.
const hugeArray = () => crafted('array.gguf', (bytes) => bytes.writeBigUInt64LE(2n ** 60n, after(bytes, 'crafted.bytes') + 8))

describe('the GGUF header check', () => {
  it('accepts real and written GGUF files', async () => {
    await expect(checkGgufHeader(tinyModel)).resolves.toBeUndefined()
    await expect(checkGgufHeader(crafted('ok.gguf', () => undefined))).resolves.toBeUndefined()
  })

  it('refuses a tensor with 2^31 dimensions with one sentence', async () => {
    await expect(checkGgufHeader(hugeDimensions())).rejects.toMatchObject({
      code: 'MODEL_INVALID',
      message: 'dims.gguf is not a valid GGUF model file: its header declares a tensor with 2147483648 dimensions (a tensor has 1 to 4).',
    })
  })

  it('refuses a 2^60-long metadata array against the file size', async () => {
    await expect(checkGgufHeader(hugeArray())).rejects.toMatchObject({
      code: 'MODEL_INVALID',
      message: expect.stringMatching(
        /^array\.gguf is not a valid GGUF model file: its metadata declares an array of 1152921504606846976 values, more than the file's \d+ bytes can hold\.$/,
      ),
    })
  })

  it('names the problem of other broken files', async () => {
    const cut = join(dir, 'cut.gguf')
    const whole = readFileSync(crafted('whole.gguf', () => undefined))
    writeFileSync(cut, whole.subarray(0, after(whole, 'crafted.bytes') + 6))
    await expect(checkGgufHeader(cut)).rejects.toThrow(
      /^cut\.gguf is not a valid GGUF model file: the file ends inside its header \(\d+ bytes\)\.$/,
    )
    const page = join(dir, 'page.gguf')
    writeFileSync(page, '<html>not a model, but long enough for a header</html>')
    await expect(checkGgufHeader(page)).rejects.toThrow(
      'page.gguf is not a valid GGUF model file: it does not start with the GGUF signature.',
    )
    const version = crafted('v9.gguf', (bytes) => bytes.writeUInt32LE(9, 4))
    await expect(checkGgufHeader(version)).rejects.toThrow(/GGUF version 9, and only versions 2 and 3/)
    const type = crafted('type.gguf', (bytes) => bytes.writeUInt32LE(77, after(bytes, 'crafted.bytes') + 4))
    await expect(checkGgufHeader(type)).rejects.toThrow(/a value of unknown type 77/)
  })

  it('guards the header summary the host reads when a model is registered', async () => {
    await expect(summarizeGguf(hugeArray())).rejects.toThrow(/declares an array of 1152921504606846976 values/)
  })

  it('is checked before the engine sees the file, so a loaded model stays loaded', async () => {
    const received: EngineRequest[] = []
    const supervisor = new EngineSupervisor({
      launch: (): EngineProcess => {
        let onMessage: (message: EngineReply) => void = () => undefined
        queueMicrotask(() => onMessage({ type: 'ready', gpu: null, cpuMathCores: 2 }))
        return {
          pid: 1,
          send: (request) => {
            received.push(request)
            if (request.type === 'load') {
              const model = loadedModelAt(request.path, { fileName: 'tiny.gguf' })
              queueMicrotask(() => onMessage({ type: 'done', id: request.id, value: model }))
            }
          },
          onMessage: (listener) => {
            onMessage = listener
          },
          onExit: () => undefined,
          kill: () => undefined,
        }
      },
    })
    await supervisor.load(tinyModel)
    await expect(supervisor.load(hugeDimensions())).rejects.toThrow(/2147483648 dimensions/)
    await expect(supervisor.inspect(hugeArray())).rejects.toThrow(/1152921504606846976 values/)
    expect(received.filter((r) => r.type === 'load' || r.type === 'inspect').map((r) => r.type)).toEqual(['load'])
    expect(supervisor.snapshot()).toMatchObject({ state: 'ready', model: { path: tinyModel } })
    await supervisor.close()
  })
})
