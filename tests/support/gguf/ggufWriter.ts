import { closeSync, openSync, writeSync } from 'node:fs'

/** GGUF v3 value types (ggml's gguf.h). */
export const GgufType = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const
type ScalarType = Exclude<keyof typeof GgufType, 'array'>

export type GgufValue =
  | { type: ScalarType; value: number | bigint | boolean | string }
  | { type: 'array'; of: ScalarType; values: ArrayLike<number> | readonly string[] | readonly boolean[] }

/** Tensor element types this writer stores (ggml_type ids). */
export const GgmlType = { f32: 0, f16: 1 } as const

export interface GgufTensor {
  name: string
  /** ggml order: the fastest-moving dimension first (`{n_embd, n_vocab}` for an embedding). */
  shape: readonly number[]
  type: keyof typeof GgmlType
  data: Float32Array
}

export interface GgufFile {
  metadata: ReadonlyArray<readonly [string, GgufValue]>
  tensors: readonly GgufTensor[]
  alignment?: number
}

const textEncoder = new TextEncoder()

/** A growable little-endian byte sink that flushes to a file descriptor in large chunks. */
class Sink {
  private buffer = Buffer.alloc(1 << 22)
  private used = 0
  written = 0

  constructor(private readonly fd: number) {}

  private room(bytes: number): void {
    if (this.used + bytes <= this.buffer.length) return
    this.flush()
    if (bytes > this.buffer.length) this.buffer = Buffer.alloc(bytes)
  }

  flush(): void {
    if (this.used === 0) return
    writeSync(this.fd, this.buffer, 0, this.used)
    this.used = 0
  }

  u8(v: number): void {
    this.room(1)
    this.buffer.writeUInt8(v, this.used)
    this.used += 1
    this.written += 1
  }
  i8(v: number): void {
    this.room(1)
    this.buffer.writeInt8(v, this.used)
    this.used += 1
    this.written += 1
  }
  u16(v: number): void {
    this.room(2)
    this.buffer.writeUInt16LE(v, this.used)
    this.used += 2
    this.written += 2
  }
  i16(v: number): void {
    this.room(2)
    this.buffer.writeInt16LE(v, this.used)
    this.used += 2
    this.written += 2
  }
  u32(v: number): void {
    this.room(4)
    this.buffer.writeUInt32LE(v, this.used)
    this.used += 4
    this.written += 4
  }
  i32(v: number): void {
    this.room(4)
    this.buffer.writeInt32LE(v, this.used)
    this.used += 4
    this.written += 4
  }
  f32(v: number): void {
    this.room(4)
    this.buffer.writeFloatLE(v, this.used)
    this.used += 4
    this.written += 4
  }
  f64(v: number): void {
    this.room(8)
    this.buffer.writeDoubleLE(v, this.used)
    this.used += 8
    this.written += 8
  }
  u64(v: number | bigint): void {
    this.room(8)
    this.buffer.writeBigUInt64LE(BigInt(v), this.used)
    this.used += 8
    this.written += 8
  }
  i64(v: number | bigint): void {
    this.room(8)
    this.buffer.writeBigInt64LE(BigInt(v), this.used)
    this.used += 8
    this.written += 8
  }

  bytes(data: Uint8Array): void {
    this.room(data.length)
    this.buffer.set(data, this.used)
    this.used += data.length
    this.written += data.length
  }

  string(text: string): void {
    const encoded = textEncoder.encode(text)
    this.u64(encoded.length)
    this.bytes(encoded)
  }

  padTo(alignment: number): void {
    const pad = (alignment - (this.written % alignment)) % alignment
    if (pad > 0) this.bytes(new Uint8Array(pad))
  }
}

function writeScalar(sink: Sink, type: ScalarType, value: number | bigint | boolean | string): void {
  switch (type) {
    case 'uint8':
      return sink.u8(Number(value))
    case 'int8':
      return sink.i8(Number(value))
    case 'uint16':
      return sink.u16(Number(value))
    case 'int16':
      return sink.i16(Number(value))
    case 'uint32':
      return sink.u32(Number(value))
    case 'int32':
      return sink.i32(Number(value))
    case 'float32':
      return sink.f32(Number(value))
    case 'float64':
      return sink.f64(Number(value))
    case 'uint64':
      return sink.u64(typeof value === 'bigint' ? value : Number(value))
    case 'int64':
      return sink.i64(typeof value === 'bigint' ? value : Number(value))
    case 'bool':
      return sink.u8(value ? 1 : 0)
    case 'string':
      return sink.string(String(value))
  }
}

function writeValue(sink: Sink, value: GgufValue): void {
  sink.u32(GgufType[value.type])
  if (value.type !== 'array') return writeScalar(sink, value.type, value.value)
  sink.u32(GgufType[value.of])
  sink.u64(value.values.length)
  for (let i = 0; i < value.values.length; i++) writeScalar(sink, value.of, value.values[i]!)
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1)
}

function tensorBytes(tensor: GgufTensor): number {
  return elementCount(tensor.shape) * (tensor.type === 'f32' ? 4 : 2)
}

/** IEEE 754 half precision, round to nearest even (what numpy's astype(float16) does). */
export function toFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length)
  const f32 = new Float32Array(1)
  const u32 = new Uint32Array(f32.buffer)
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i]!
    const x = u32[0]!
    const sign = (x >>> 16) & 0x8000
    const exponent = (x >>> 23) & 0xff
    let mantissa = x & 0x7fffff
    if (exponent === 0xff) {
      out[i] = sign | 0x7c00 | (mantissa ? 0x200 : 0)
      continue
    }
    let e = exponent - 127 + 15
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00
      continue
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign
        continue
      }
      mantissa |= 0x800000
      const shift = 14 - e
      const half = 1 << (shift - 1)
      let m = mantissa >>> shift
      const rest = mantissa & ((1 << shift) - 1)
      if (rest > half || (rest === half && m & 1)) m += 1
      out[i] = sign | m
      continue
    }
    let m = mantissa >>> 13
    const rest = mantissa & 0x1fff
    if (rest > 0x1000 || (rest === 0x1000 && m & 1)) {
      m += 1
      if (m === 0x400) {
        m = 0
        e += 1
        if (e >= 0x1f) {
          out[i] = sign | 0x7c00
          continue
        }
      }
    }
    out[i] = sign | (e << 10) | m
  }
  return out
}

/**
 * Writes a GGUF v3 file (little-endian): header, metadata, tensor infos, then each tensor's data at an
 * offset aligned to `alignment` (32 unless the metadata says otherwise via `general.alignment`).
 */
export function writeGguf(path: string, file: GgufFile): void {
  const alignment = file.alignment ?? 32
  const metadata =
    alignment === 32 ? file.metadata : [...file.metadata, ['general.alignment', { type: 'uint32', value: alignment }] as const]
  const fd = openSync(path, 'w')
  try {
    const sink = new Sink(fd)
    sink.bytes(textEncoder.encode('GGUF'))
    sink.u32(3)
    sink.u64(file.tensors.length)
    sink.u64(metadata.length)
    for (const [key, value] of metadata) {
      sink.string(key)
      writeValue(sink, value)
    }
    let offset = 0
    for (const tensor of file.tensors) {
      if (tensor.data.length !== elementCount(tensor.shape))
        throw new Error(`${tensor.name}: ${tensor.data.length} values for shape ${tensor.shape.join('×')}`)
      sink.string(tensor.name)
      sink.u32(tensor.shape.length)
      for (const dim of tensor.shape) sink.u64(dim)
      sink.u32(GgmlType[tensor.type])
      sink.u64(offset)
      offset += tensorBytes(tensor)
      offset += (alignment - (offset % alignment)) % alignment
    }
    sink.padTo(alignment)
    for (const tensor of file.tensors) {
      const raw = tensor.type === 'f32' ? tensor.data : toFloat16(tensor.data)
      sink.bytes(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength))
      sink.padTo(alignment)
    }
    sink.flush()
  } finally {
    closeSync(fd)
  }
}
