import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readGgufFileInfo } from 'node-llama-cpp'
import { afterAll, describe, expect, it } from 'vitest'
import { toFloat16, writeGguf } from '../support/gguf/ggufWriter.js'
import { randomValues, seededRandom } from '../support/gguf/seededWeights.js'

const dir = mkdtempSync(join(tmpdir(), 'gridforge-gguf-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the test GGUF writer', () => {
  const path = join(dir, 'small.gguf')
  const odd = new Float32Array([1, 2, 3])
  const half = new Float32Array([0.5, -2, 65504, 1e-8])
  writeGguf(path, {
    metadata: [
      ['general.architecture', { type: 'string', value: 'llama' }],
      ['llama.block_count', { type: 'uint32', value: 2 }],
      ['llama.rope.freq_base', { type: 'float32', value: 500000 }],
      ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
      ['tokenizer.ggml.tokens', { type: 'array', of: 'string', values: ['<s>', 'héllo', '▁wörld'] }],
      ['tokenizer.ggml.token_type', { type: 'array', of: 'int32', values: new Int32Array([3, 1, 1]) }],
    ],
    tensors: [
      { name: 'odd.weight', shape: [3], type: 'f32', data: odd },
      { name: 'half.weight', shape: [2, 2], type: 'f16', data: half },
    ],
  })

  it('writes a GGUF v3 file that llama.cpp-compatible readers parse: metadata, arrays and tensor infos', async () => {
    const info = await readGgufFileInfo(path)
    expect(info.version).toBe(3)
    expect(info.metadata.general.architecture).toBe('llama')
    expect(info.metadata.tokenizer.ggml.tokens).toEqual(['<s>', 'héllo', '▁wörld'])
    expect(info.metadata.tokenizer.ggml.token_type).toEqual([3, 1, 1])
    expect(info.metadata.tokenizer.ggml.add_bos_token).toBe(true)
    expect((info.metadata as { llama?: { rope?: { freq_base?: number } } }).llama?.rope?.freq_base).toBe(500000)
    expect(info.tensorInfo?.map((t) => [t.name, t.dimensions.map(Number), t.ggmlType])).toEqual([
      ['odd.weight', [3], 0],
      ['half.weight', [2, 2], 1],
    ])
  })

  it('aligns every tensor to 32 bytes and stores the values little-endian', async () => {
    const info = await readGgufFileInfo(path)
    const bytes = readFileSync(path)
    const [first, second] = info.tensorInfo!.map((t) => Number(t.fileOffset))
    expect(first! % 32).toBe(0)
    expect(second! % 32).toBe(0)
    expect([0, 1, 2].map((i) => bytes.readFloatLE(first! + i * 4))).toEqual([1, 2, 3])
    expect([0, 1, 2, 3].map((i) => bytes.readUInt16LE(second! + i * 2))).toEqual([0x3800, 0xc000, 0x7bff, 0x0000])
    // Padded after the last tensor too, as gguf-py writes it.
    expect(bytes.length).toBe(second! + 32)
  })

  it('rounds to half precision like numpy (nearest, ties to even, subnormals, overflow to infinity)', () => {
    expect([...toFloat16(new Float32Array([1, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2 ** -24, 2 ** -14, 70000, -0]))]).toEqual([
      0x3c00, 0x3c00, 0x3c02, 0x0001, 0x0400, 0x7c00, 0x8000,
    ])
  })

  it('gives the same weights for the same seed', () => {
    expect(randomValues(seededRandom(7), 16, 1)).toEqual(randomValues(seededRandom(7), 16, 1))
    expect(randomValues(seededRandom(7), 16, 1)).not.toEqual(randomValues(seededRandom(8), 16, 1))
  })
})
