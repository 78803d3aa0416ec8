import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ChatRepository } from '../../src/main/store/chatRepository.js'
import { openDatabase } from '../../src/main/store/database.js'
import { ensureUsableDatabase, type RecoveryQuestion } from '../../src/main/store/startupRecovery.js'

let dir: string
let file: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gridforge-startup-recovery-'))
  file = join(dir, 'gridforge.db')
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function databaseWithChat(path: string, title: string): void {
  const db = openDatabase(path)
  new ChatRepository(db).createConversation(title)
  db.close()
}

function titles(path: string): string[] {
  const db = openDatabase(path)
  try {
    return new ChatRepository(db).listConversations().map((c) => c.title)
  } finally {
    db.close()
  }
}

const corrupt = () => writeFileSync(file, Buffer.alloc(8192, 0x5a))

/** A dialog that answers with the button labelled `label`, remembering what it was asked. */
function answering(label: string) {
  const asked: RecoveryQuestion[] = []
  const ask = async (question: RecoveryQuestion) => {
    asked.push(question)
    const index = question.buttons.indexOf(label)
    if (index < 0) throw new Error(`no button ${label} in ${question.buttons.join(', ')}`)
    return index
  }
  return { ask, asked }
}

describe('the desktop start on a database it cannot open', () => {
  it('opens a healthy database without asking anything', async () => {
    databaseWithChat(file, 'Fine')
    const { ask, asked } = answering('Quit')
    await expect(ensureUsableDatabase(file, ask)).resolves.toBe(true)
    expect(asked).toEqual([])
    expect(titles(file)).toEqual(['Fine'])
  })

  it('offers the latest backup for a damaged file, opens it, and keeps the damaged file beside it', async () => {
    databaseWithChat(join(dir, 'backup-source.db'), 'From the backup')
    copyFileSync(join(dir, 'backup-source.db'), `${file}.backup-v6-1000`)
    corrupt()
    const damaged = readFileSync(file)
    const { ask, asked } = answering('Open the latest backup')
    await expect(ensureUsableDatabase(file, ask)).resolves.toBe(true)
    expect(asked).toHaveLength(1)
    expect(asked[0]).toMatchObject({
      message: 'The history database gridforge.db is damaged.',
      buttons: ['Open the latest backup', 'Start a new history', 'Quit'],
      cancelId: 2,
    })
    expect(titles(file)).toEqual(['From the backup'])
    const aside = readdirSync(dir).find((name) => /^gridforge\.db\.damaged-\d+$/.test(name))
    expect(readFileSync(join(dir, aside!))).toEqual(damaged)
  })

  it('without a backup offers only a new history or quitting; Quit leaves the file as it was', async () => {
    corrupt()
    const { ask, asked } = answering('Quit')
    await expect(ensureUsableDatabase(file, ask)).resolves.toBe(false)
    expect(asked[0]?.buttons).toEqual(['Start a new history', 'Quit'])
    expect(asked[0]?.detail).toMatch(/no backup/)
    expect(readFileSync(file)).toEqual(Buffer.alloc(8192, 0x5a))
    expect(readdirSync(dir)).toEqual(['gridforge.db'])
  })

  it('says a newer GridForge wrote the file and starts a new history when asked to', async () => {
    databaseWithChat(file, 'From the future')
    const db = openDatabase(file)
    db.pragma('user_version = 999')
    db.close()
    const { ask, asked } = answering('Start a new history')
    await expect(ensureUsableDatabase(file, ask)).resolves.toBe(true)
    expect(asked[0]?.message).toBe('gridforge.db was written by a newer GridForge; update GridForge to keep using it.')
    expect(titles(file)).toEqual([])
    expect(readdirSync(dir).some((name) => /^gridforge\.db\.damaged-\d+$/.test(name))).toBe(true)
  })
})
