import { readFileSync } from 'node:fs'
import { GgufType, type GgufFile, type GgufTensor, type GgufValue } from './ggufWriter.js'

type ScalarType = Exclude<keyof typeof GgufType, 'array'>
const typeNames = Object.fromEntries(Object.entries(GgufType).map(([name, id]) => [id, name])) as Record<number, keyof typeof GgufType>

/**
 * Reads a GGUF v3 file of f32 tensors (the test model) back into what `writeGguf` takes, so tests can
 * write a copy with changed metadata (a hostile chat template) around the same working weights.
 */
export function readGguf(path: string): GgufFile {
  const data = readFileSync(path)
  let at = 0
  const u32 = () => ((at += 4), data.readUInt32LE(at - 4))
  const u64 = () => ((at += 8), data.readBigUInt64LE(at - 8))
  const text = () => {
    const length = Number(u64())
    at += length
    return data.toString('utf8', at - length, at)
  }
  const scalar = (type: ScalarType): number | bigint | boolean | string => {
    switch (type) {
      case 'uint8':
        return data.readUInt8((at += 1) - 1)
      case 'int8':
        return data.readInt8((at += 1) - 1)
      case 'uint16':
        return data.readUInt16LE((at += 2) - 2)
      case 'int16':
        return data.readInt16LE((at += 2) - 2)
      case 'uint32':
        return u32()
      case 'int32':
        return data.readInt32LE((at += 4) - 4)
      case 'float32':
        return data.readFloatLE((at += 4) - 4)
      case 'float64':
        return data.readDoubleLE((at += 8) - 8)
      case 'uint64':
        return u64()
      case 'int64':
        return data.readBigInt64LE((at += 8) - 8)
      case 'bool':
        return data.readUInt8((at += 1) - 1) !== 0
      case 'string':
        return text()
    }
  }
  if (data.toString('latin1', 0, 4) !== 'GGUF') throw new Error(`${path} is not a GGUF file`)
  at = 4
  if (u32() !== 3) throw new Error(`${path} is not GGUF v3`)
  const tensorCount = Number(u64())
  const kvCount = Number(u64())
  const metadata: Array<readonly [string, GgufValue]> = []
  for (let i = 0; i < kvCount; i++) {
    const key = text()
    const type = typeNames[u32()]!
    if (type !== 'array') {
      metadata.push([key, { type, value: scalar(type) }])
      continue
    }
    const of = typeNames[u32()] as ScalarType
    const values = Array.from({ length: Number(u64()) }, () => scalar(of))
    metadata.push([key, { type: 'array', of, values: values as number[] | string[] | boolean[] }])
  }
  const alignment = Number((metadata.find(([key]) => key === 'general.alignment')?.[1] as { value?: number } | undefined)?.value ?? 32)
  const infos = Array.from({ length: tensorCount }, () => {
    const name = text()
    const shape = Array.from({ length: u32() }, () => Number(u64()))
    const type = u32()
    if (type !== 0) throw new Error(`${name}: only f32 tensors are read`)
    return { name, shape, offset: Number(u64()) }
  })
  const start = Math.ceil(at / alignment) * alignment
  const tensors: GgufTensor[] = infos.map(({ name, shape, offset }) => {
    const count = shape.reduce((a, b) => a * b, 1)
    const bytes = data.subarray(start + offset, start + offset + count * 4)
    return { name, shape, type: 'f32', data: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) }
  })
  return { metadata: metadata.filter(([key]) => key !== 'general.alignment'), tensors, alignment }
}
