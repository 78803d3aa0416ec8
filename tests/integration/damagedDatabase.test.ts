import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ChatRepository } from '../../src/main/store/chatRepository.js'
import { openDatabase } from '../../src/main/store/database.js'
import { cliEntry, requireBuild } from '../support/paths.js'

let dir: string
beforeEach(() => {
  requireBuild()
  dir = mkdtempSync(join(tmpdir(), 'gridforge-damaged-'))
})
afterEach(() => {
  chmodSync(dir, 0o700)
  rmSync(dir, { recursive: true, force: true })
})

const database = () => join(dir, 'gridforge.db')

/** Runs `gridforge serve` until it prints its URL (then stops it) or exits by itself. */
function serve(...extra: string[]): Promise<{ code: number | null; started: boolean; stderr: string }> {
  const child = spawn(process.execPath, [cliEntry, 'serve', '--data-dir', dir, '--port', '0', ...extra], {
    env: { ...process.env, GRIDFORGE_GPU: 'off', HF_ENDPOINT: 'http://127.0.0.1:9' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  let started = false
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  child.stdout.on('data', (chunk: Buffer) => {
    if (!started && /GridForge is running/.test(chunk.toString())) {
      started = true
      child.kill('SIGTERM')
    }
  })
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, started, stderr })))
}

function withOneChat(title: string): void {
  const db = openDatabase(database())
  new ChatRepository(db).createConversation(title)
  db.close()
}

const oneSentence = (stderr: string) => {
  expect(stderr).not.toMatch(/\n\s+at /)
  expect(stderr).not.toMatch(/unexpected error/)
}

describe('gridforge serve on a damaged database', () => {
  it('names a corrupt file in one sentence, then starts fresh with --recover fresh and keeps the file', async () => {
    writeFileSync(database(), Buffer.alloc(8192, 7))
    const first = await serve()
    expect(first).toMatchObject({ code: 2, started: false })
    expect(first.stderr).toMatch(/gridforge\.db is damaged; start with --recover backup .* or --recover fresh/)
    oneSentence(first.stderr)
    const second = await serve('--recover', 'fresh')
    expect(second.started).toBe(true)
    expect(second.stderr).toMatch(/Started a new history\. The old file is kept as gridforge\.db\.damaged-\d+/)
    const kept = readdirSync(dir).find((name) => /^gridforge\.db\.damaged-\d+$/.test(name))!
    expect(readFileSync(join(dir, kept))).toEqual(Buffer.alloc(8192, 7))
  })

  it('opens the latest backup with --recover backup', async () => {
    withOneChat('Kept in the backup')
    const db = openDatabase(database())
    db.prepare('VACUUM INTO ?').run(`${database()}.backup-v5-1000`)
    db.close()
    rmSync(database())
    writeFileSync(database(), 'not a database at all, but long enough to look like one '.repeat(100))
    expect((await serve()).code).toBe(2)
    expect((await serve('--recover', 'backup')).started).toBe(true)
    const reopened = openDatabase(database())
    expect(new ChatRepository(reopened).listConversations().map((c) => c.title)).toEqual(['Kept in the backup'])
    reopened.close()
  })

  it('names a newer schema and a read-only folder in one sentence', async () => {
    withOneChat('From the future')
    const db = openDatabase(database())
    db.pragma('user_version = 999')
    db.close()
    const newer = await serve()
    expect(newer.code).toBe(2)
    expect(newer.stderr).toMatch(/written by a newer GridForge \(schema 999\); update GridForge, or start with --recover/)
    oneSentence(newer.stderr)
    rmSync(database(), { force: true })
    for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true })
    chmodSync(dir, 0o500)
    if (process.getuid?.() === 0) return
    const readOnly = await serve()
    expect(readOnly.code).toBe(2)
    expect(readOnly.stderr).toMatch(/cannot write its data folder/)
    oneSentence(readOnly.stderr)
    expect(existsSync(database())).toBe(false)
  })
})
