import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatRepository } from '../../src/main/store/chatRepository.js'
import { openAppDatabase, openDatabase } from '../../src/main/store/database.js'
import { withStorage } from '../../src/main/store/storageErrors.js'
import { StorageHealth } from '../../src/main/store/storageHealth.js'
import { cliEntry, requireBuild } from '../support/paths.js'

/** A real 2 MB tmpfs, so the disk is really full (mounting needs root; elsewhere the suite is skipped). */
function mountSmallDisk(): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'gridforge-fulldisk-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'ignore' })
    return dir
  } catch {
    rmSync(dir, { recursive: true, force: true })
    return null
  }
}

const disk = process.platform === 'linux' ? mountSmallDisk() : null
const filler = () => join(disk!, 'filler')
const fill = () => {
  try {
    writeFileSync(filler(), Buffer.alloc(4 * 1024 * 1024))
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOSPC') throw error
  }
}

describe.skipIf(!disk)('starting on a completely full disk (a real 2 MB tmpfs)', () => {
  let file: string
  beforeAll(() => {
    file = join(disk!, 'gridforge.db')
    const db = openDatabase(file)
    const repo = new ChatRepository(db)
    const conversation = repo.createConversation('Kept through a full disk')
    repo.appendMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'hello', state: 'complete', model: null })
    db.close()
  })
  afterAll(() => {
    execFileSync('umount', [disk!])
    rmSync(disk!, { recursive: true, force: true })
  })

  it('opens read-only with the history readable, refuses writes with the disk-full sentence, and writes again once there is room', () => {
    fill()
    expect(() => openDatabase(file)).toThrow(/disk holding .* is full/)
    const { db, readOnly } = openAppDatabase(file)
    try {
      expect(readOnly).toBe(true)
      const repo = new ChatRepository(db)
      const [kept] = repo.listConversations()
      expect(kept?.title).toBe('Kept through a full disk')
      expect(repo.activePath(kept!.id).messages.map((m) => m.content)).toEqual(['hello'])
      const write = () =>
        withStorage(() =>
          repo.appendMessage({
            conversationId: kept!.id,
            parentId: null,
            role: 'user',
            content: 'x'.repeat(20_000),
            state: 'complete',
            model: null,
          }),
        )
      expect(write).toThrow(/disk is full/)

      // The 2 MB disk never has the 16 MB a real one needs back; half of it is room enough here.
      const health = new StorageHealth(disk!, { recoveredAt: 1024 * 1024 })
      health.markFull()
      expect(health.status()).toMatchObject({ writable: false, reason: expect.stringMatching(/read-only.*free some space/) })
      health.check()
      expect(health.status().writable).toBe(false)

      unlinkSync(filler())
      health.check()
      health.stop()
      expect(health.status()).toEqual({ writable: true, reason: null })
      write()
      expect(repo.listAllMessages(kept!.id)).toHaveLength(2)
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    } finally {
      db.close()
    }
  })

  it('says in one sentence what to free when even a new history cannot be made', () => {
    fill()
    try {
      expect(() => openAppDatabase(join(disk!, 'new.db'))).toThrow(
        new RegExp(`^The disk holding ${disk} is full, so GridForge cannot open its history; free some space and start again\\.$`),
      )
    } finally {
      unlinkSync(filler())
    }
  })

  it('gridforge serve, run there before, starts on it and says the history is read-only and why', async () => {
    requireBuild()
    // The first serve saves its token; a disk full before GridForge ever ran there says that in one sentence.
    expect((await serveOnce()).started).toBe(true)
    fill()
    try {
      const { started, output } = await serveOnce()
      expect(started).toBe(true)
      expect(output).toContain(`The disk holding ${disk} is full, so GridForge is read-only`)
      expect(output).not.toMatch(/\n\s+at /)
    } finally {
      unlinkSync(filler())
    }
  }, 90_000)
})

/** Runs `gridforge serve` on the small disk until it prints its URL (then stops it) or exits by itself. */
async function serveOnce(): Promise<{ started: boolean; output: string }> {
  const child = spawn(process.execPath, [cliEntry, 'serve', '--data-dir', disk!, '--port', '0'], {
    env: { ...process.env, GRIDFORGE_GPU: 'off', HF_ENDPOINT: 'http://127.0.0.1:9' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  let started = false
  const collect = (chunk: Buffer) => {
    output += chunk.toString()
    if (!started && /GridForge is running/.test(output)) {
      started = true
      child.kill('SIGTERM')
    }
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  await new Promise((resolve) => child.once('exit', resolve))
  return { started, output }
}
