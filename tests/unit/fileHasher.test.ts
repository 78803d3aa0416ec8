import { createHash, randomBytes } from 'node:crypto'
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startFileHasher, type HashPlace } from '../../src/main/models/hashWorker.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gridforge-hasher-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe.each<HashPlace>(['worker', 'inline'])('the sha256 of a file as it grows (%s)', (place) => {
  it('equals the whole file’s sha256 when its bytes are announced in pieces while it is written', async () => {
    const path = join(dir, 'growing.bin')
    const pieces = [randomBytes(5 * 1024 * 1024 + 17), randomBytes(3), randomBytes(1024 * 1024)]
    writeFileSync(path, '')
    const hasher = await startFileHasher(path, place)
    let size = 0
    for (const piece of pieces) {
      appendFileSync(path, piece)
      size += piece.length
      hasher.advanceTo(size)
    }
    const expected = createHash('sha256').update(Buffer.concat(pieces)).digest('hex')
    expect(await hasher.digest(size)).toBe(expected)
  })

  it('refuses to give a digest for bytes the file does not have', async () => {
    const path = join(dir, 'short.bin')
    writeFileSync(path, randomBytes(1000))
    const hasher = await startFileHasher(path, place)
    await expect(hasher.digest(2000)).rejects.toThrow(/ended at byte 1000/)
  })
})
