import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { _electron as electron, expect, test } from '@playwright/test'
import Database from 'better-sqlite3'
import { repoRoot, tempDataDir } from '../support/paths.js'

/**
 * What `npm run dist` left in dist/ for this machine: electron-builder's unpacked app, the same files the
 * installers carry. GRIDFORGE_PACKAGED_APP names another executable (an installed app).
 */
function packagedExecutable(): string {
  if (process.env.GRIDFORGE_PACKAGED_APP) return process.env.GRIDFORGE_PACKAGED_APP
  const dist = join(repoRoot, 'dist')
  const suffix = process.arch === 'x64' ? '' : `-${process.arch}`
  const candidates: Record<string, string> = {
    linux: join(dist, `linux${suffix}-unpacked`, 'gridforge'),
    win32: join(dist, `win${suffix}-unpacked`, 'GridForge.exe'),
    darwin: join(dist, `mac${suffix}`, 'GridForge.app', 'Contents', 'MacOS', 'GridForge'),
  }
  const found = candidates[process.platform]
  if (!found || !existsSync(found)) throw new Error(`No packaged app at ${found ?? 'dist/'}: run "npm run dist" on this machine first.`)
  return found
}

// Chromium refuses to start its sandbox as root (CI containers); the renderer stays sandboxed otherwise.
const rootArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : []

test('the packaged app starts, chats with the test model from its own SQLite and llama.cpp, and quits', async () => {
  const temp = tempDataDir()
  const app = await electron.launch({
    executablePath: packagedExecutable(),
    args: rootArgs,
    env: {
      ...(process.env as Record<string, string>),
      GRIDFORGE_DATA_DIR: temp.dir,
      GRIDFORGE_GPU: 'off',
      GRIDFORGE_DISABLE_UPDATES: '1',
      HF_ENDPOINT: 'http://127.0.0.1:9',
    },
  })
  try {
    expect(await app.evaluate(({ app: electronApp }) => electronApp.isPackaged)).toBe(true)
    const window = await app.firstWindow()
    await window.getByLabel('Model').selectOption(temp.model)
    await window.getByRole('button', { name: 'Load' }).click()
    await expect(window.getByText(/stories260K\.gguf loaded/)).toBeVisible()
    await window.getByLabel('Message').fill('Once upon a time')
    await window.getByLabel('Message').press('Enter')
    await expect(window.locator('.message.assistant')).toHaveAttribute('data-state', 'complete')
    await expect(window.locator('.message.assistant')).not.toHaveText('')

    const exited = new Promise<number | null>((resolve) => app.process().once('exit', (code) => resolve(code)))
    await app.evaluate(({ app: electronApp }) => electronApp.quit())
    expect(await exited).toBe(0)
    // The conversation went through the packaged better-sqlite3 addon (the test reads it with Node's).
    const db = new Database(join(temp.dir, 'gridforge.db'), { readonly: true })
    try {
      const messages = db.prepare("SELECT role, state FROM messages WHERE role != 'system' ORDER BY seq").all()
      expect(messages).toEqual([
        { role: 'user', state: 'complete' },
        { role: 'assistant', state: 'complete' },
      ])
    } finally {
      db.close()
    }
  } finally {
    await app.close().catch(() => undefined)
    temp.cleanup()
  }
})
