import { open, type FileHandle } from 'node:fs/promises'
import { basename } from 'node:path'
import { AppError } from '../../shared/result.js'

/** ggml's GGML_MAX_DIMS: no tensor has more dimensions. */
const MAX_TENSOR_DIMENSIONS = 4
/** Arrays inside arrays deeper than this are not something any model writes; refusing bounds the recursion. */
const MAX_ARRAY_DEPTH = 3
const READ_BLOCK = 1 << 20
/** Bytes each GGUF value type takes (strings and arrays: their smallest encoding, a u64 length). */
const VALUE_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 8: 8, 9: 12, 10: 8, 11: 8, 12: 8 }
const STRING = 8
const ARRAY = 9

/** A header that cannot be a real model's; `problem` is what is wrong with it, for callers that phrase their own sentence. */
export class GgufHeaderError extends AppError {
  constructor(
    fileName: string,
    readonly problem: string,
  ) {
    super('MODEL_INVALID', `${fileName} is not a valid GGUF model file: ${problem}.`)
  }
}

/**
 * Walks a GGUF header (version, metadata, tensor infos) with a small buffered reader and checks every
 * count and length against the bytes the file really has, before node-llama-cpp sees the file: a crafted
 * header (a tensor with 2^31 dimensions, a 2^60-long array) otherwise makes the parser allocate gigabytes
 * and run for minutes before it fails. Nothing is allocated from a declared size. Throws MODEL_INVALID
 * with one sentence naming the problem. A file it cannot open is left to the loader, which says why.
 */
export async function checkGgufHeader(path: string): Promise<void> {
  let handle: FileHandle
  try {
    handle = await open(path, 'r')
  } catch {
    return
  }
  try {
    const info = await handle.stat()
    if (!info.isFile()) return
    const size = info.size
    const reader = new HeaderReader(handle, size, basename(path))
    await reader.check()
  } finally {
    await handle.close()
  }
}

class HeaderReader {
  private block = Buffer.alloc(0)
  private blockStart = 0
  private position = 0

  constructor(
    private readonly handle: FileHandle,
    private readonly size: number,
    private readonly name: string,
  ) {}

  async check(): Promise<void> {
    if (this.size < 24) this.refuse(`it is only ${this.size} bytes long, too short for a GGUF header`)
    const magic = (await this.bytes(4)).toString('latin1')
    if (magic !== 'GGUF') this.refuse('it does not start with the GGUF signature')
    const version = await this.u32()
    if (version !== 2 && version !== 3) this.refuse(`it is GGUF version ${version}, and only versions 2 and 3 are supported`)
    const tensors = await this.count('tensors', 24)
    const entries = await this.count('metadata entries', 13)
    for (let i = 0; i < entries; i++) {
      await this.string('a metadata key')
      await this.value(await this.u32(), 0)
    }
    for (let i = 0; i < tensors; i++) {
      await this.string('a tensor name')
      const dimensions = await this.u32()
      if (dimensions === 0 || dimensions > MAX_TENSOR_DIMENSIONS) {
        this.refuse(`its header declares a tensor with ${dimensions} dimensions (a tensor has 1 to ${MAX_TENSOR_DIMENSIONS})`)
      }
      let elements = 1n
      for (let d = 0; d < dimensions; d++) elements *= await this.u64()
      // No ggml type stores a weight in under one bit, so more elements than the file has bits cannot be real.
      if (elements > BigInt(this.size) * 8n)
        this.refuse(`its header declares a tensor of ${elements} values, more than the file's ${this.size} bytes can hold`)
      // The type and the data offset; a file cut short in its weights is the loader's "incomplete" check.
      this.skip(4 + 8)
    }
  }

  private async value(type: number, depth: number): Promise<void> {
    if (type === STRING) {
      await this.string('a metadata value')
      return
    }
    if (type === ARRAY) {
      if (depth >= MAX_ARRAY_DEPTH) this.refuse('its metadata nests arrays deeper than any model does')
      const of = await this.u32()
      const elementBytes = VALUE_BYTES[of]
      if (elementBytes === undefined) this.refuse(`its metadata has a value of unknown type ${of}`)
      const length = await this.u64()
      if (length * BigInt(elementBytes) > BigInt(this.size - this.position)) {
        this.refuse(`its metadata declares an array of ${length} values, more than the file's ${this.size} bytes can hold`)
      }
      const count = Number(length)
      if (of !== STRING && of !== ARRAY) {
        this.skip(count * elementBytes)
        return
      }
      for (let i = 0; i < count; i++) await this.value(of, depth + 1)
      return
    }
    const bytes = VALUE_BYTES[type]
    if (bytes === undefined) this.refuse(`its metadata has a value of unknown type ${type}`)
    this.skip(bytes)
  }

  private async count(what: string, minimumBytesEach: number): Promise<number> {
    const declared = await this.u64()
    if (declared * BigInt(minimumBytesEach) > BigInt(this.size)) {
      this.refuse(`its header declares ${declared} ${what}, more than the file's ${this.size} bytes can hold`)
    }
    return Number(declared)
  }

  private async string(what: string): Promise<void> {
    const length = await this.u64()
    if (length > BigInt(this.size - this.position)) {
      this.refuse(`its header declares ${what} ${length} bytes long, past the end of the file (${this.size} bytes)`)
    }
    this.skip(Number(length))
  }

  private async u32(): Promise<number> {
    return (await this.bytes(4)).readUInt32LE(0)
  }

  private async u64(): Promise<bigint> {
    return (await this.bytes(8)).readBigUInt64LE(0)
  }

  private skip(bytes: number): void {
    this.position += bytes
    if (this.position > this.size) this.refuse(`the file ends inside its header (${this.size} bytes)`)
  }

  private async bytes(length: number): Promise<Buffer> {
    if (this.position + length > this.size) this.refuse(`the file ends inside its header (${this.size} bytes)`)
    const end = this.blockStart + this.block.length
    if (this.position < this.blockStart || this.position + length > end) {
      this.block = Buffer.alloc(Math.min(READ_BLOCK, this.size - this.position))
      this.blockStart = this.position
      await this.handle.read(this.block, 0, this.block.length, this.position)
    }
    const from = this.position - this.blockStart
    this.position += length
    return this.block.subarray(from, from + length)
  }

  private refuse(problem: string): never {
    throw new GgufHeaderError(this.name, problem)
  }
}
