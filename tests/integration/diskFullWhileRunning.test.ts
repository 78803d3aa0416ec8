import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Host } from '../../src/main/host/createHost.js'
import { MAX_IMPORT_PIECE_CHARS } from '../../src/shared/limits.js'
import type { StorageStatus } from '../../src/shared/storage.js'
import { testHost } from './hostHarness.js'
import { longConversation } from '../support/longConversation.js'

/** A real 64 MB tmpfs: room for the history and the 16 MB GridForge wants back (mounting needs root; elsewhere skipped). */
function mountSmallDisk(): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'gridforge-filling-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', dir], { stdio: 'ignore' })
    return dir
  } catch {
    rmSync(dir, { recursive: true, force: true })
    return null
  }
}

const disk = process.platform === 'linux' ? mountSmallDisk() : null

/** A GridForge export of one conversation, as the UI uploads it in one piece. */
const exportText = (count: number) =>
  JSON.stringify({ format: 'gridforge-chat', version: 2, exportedAt: 0, conversations: [longConversation(count)] })

describe.skipIf(!disk)('the disk filling up while the app runs (a real 64 MB tmpfs)', () => {
  let host: Host
  afterAll(async () => {
    await host?.close()
    execFileSync('umount', [disk!])
    rmSync(disk!, { recursive: true, force: true })
  })

  it('a write that finds the disk full turns the read-only banner on, and it goes once there is room', async () => {
    const dataDir = join(disk!, 'data')
    host = testHost({ dir: dataDir, model: '', cleanup: () => undefined })
    const statuses: StorageStatus[] = []
    host.events.subscribe((name, payload) => {
      if (name === 'storage.status') statuses.push(payload as StorageStatus)
    })
    // In pieces, as the UI sends a file; the last piece stores it all or nothing.
    const importFile = async (uploadId: string, messages: number) => {
      const text = exportText(messages)
      const pieces = Math.ceil(text.length / MAX_IMPORT_PIECE_CHARS)
      for (let index = 0; ; index++) {
        const piece = text.slice(index * MAX_IMPORT_PIECE_CHARS, (index + 1) * MAX_IMPORT_PIECE_CHARS)
        const result = await host.dispatch('chat.import', { uploadId, index, text: piece, last: index === pieces - 1 })
        if (!result.ok || index === pieces - 1) return result
      }
    }
    expect(await importFile('before', 1_000)).toMatchObject({ ok: true })
    expect(await host.dispatch('storage.status', {})).toEqual({ ok: true, value: { writable: true, reason: null } })

    const filler = join(disk!, 'filler')
    try {
      writeFileSync(filler, Buffer.alloc(80 * 1024 * 1024))
    } catch (error) {
      expect((error as { code?: string }).code).toBe('ENOSPC')
    }
    // Larger than the first: the WAL file keeps its size, and a write that fits in it needs no new disk blocks.
    const refused = await importFile('full', 10_000)
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_ENOUGH_SPACE', message: expect.stringMatching(/disk is full/) } })
    expect(statuses.at(-1)).toEqual({ writable: false, reason: expect.stringContaining(`The disk holding ${dataDir} is full`) })
    expect(await host.dispatch('storage.status', {})).toMatchObject({ ok: true, value: { writable: false } })
    // What was there before is still there, and the refused import left nothing.
    const listed = await host.dispatch('chat.list', {})
    expect(listed).toMatchObject({ ok: true, value: [expect.objectContaining({ title: 'A long chat' })] })

    unlinkSync(filler)
    expect(await host.dispatch('storage.status', {})).toEqual({ ok: true, value: { writable: true, reason: null } })
    expect(statuses.at(-1)).toEqual({ writable: true, reason: null })
    expect(await importFile('after', 1_000)).toMatchObject({ ok: true })
  }, 60_000)
})
