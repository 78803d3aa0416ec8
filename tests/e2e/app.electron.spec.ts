import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test'
import { repoRoot, requireBuild, tempDataDir } from '../support/paths.js'

/**
 * The Electron binary is downloaded on first use, not at install. Where it is absent (no internet, as on
 * CI here) or there is no display, these tests are skipped with one line saying why.
 */
function electronBinary(): { path: string } | { skip: string } {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { skip: 'Electron e2e skipped: no display (set DISPLAY, e.g. under xvfb-run).' }
  }
  const dir = join(repoRoot, 'node_modules', 'electron')
  const pathFile = join(dir, 'path.txt')
  const binary = existsSync(pathFile) ? join(dir, 'dist', readFileSync(pathFile, 'utf8')) : null
  if (!binary || !existsSync(binary)) {
    return { skip: 'Electron e2e skipped: the Electron runtime is not installed here (run "npx install-electron").' }
  }
  const addon = join(repoRoot, 'build', 'native', `${process.platform}-${process.arch}`, 'better_sqlite3.node')
  if (!existsSync(addon)) {
    return { skip: 'Electron e2e skipped: better-sqlite3 for Electron is missing (run "npm run prepare-native").' }
  }
  return { path: binary }
}

const binary = electronBinary()
// Chromium refuses to start its sandbox as root (CI containers); the renderer stays sandboxed otherwise.
const rootArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : []

function environment(dataDir: string): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    GRIDFORGE_DATA_DIR: dataDir,
    GRIDFORGE_GPU: 'off',
    GRIDFORGE_E2E: '1',
    GRIDFORGE_DISABLE_UPDATES: '1',
    HF_ENDPOINT: 'http://127.0.0.1:9',
  }
}

async function launch(dataDir: string): Promise<ElectronApplication> {
  if ('skip' in binary) throw new Error(binary.skip)
  return electron.launch({ executablePath: binary.path, args: [...rootArgs, repoRoot], env: environment(dataDir) })
}

test.describe('the desktop app', () => {
  test.beforeAll(() => {
    if ('skip' in binary) process.stdout.write(`${binary.skip}\n`)
    else requireBuild()
  })
  test.beforeEach(() => test.skip('skip' in binary, 'skip' in binary ? binary.skip : ''))

  test('opens a sandboxed window, loads the test model and chats', async () => {
    const temp = tempDataDir()
    const app = await launch(temp.dir)
    try {
      const window = await app.firstWindow()
      expect(await window.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined')
      await window.getByLabel('Model').selectOption(temp.model)
      await window.getByRole('button', { name: 'Load' }).click()
      await expect(window.getByText(/stories260K\.gguf loaded/)).toBeVisible()
      await window.getByLabel('Message').fill('Once upon a time')
      await window.getByLabel('Message').press('Enter')
      await expect(window.locator('.message.assistant')).toHaveAttribute('data-state', 'complete')
      await expect(window.locator('.message.assistant')).not.toHaveText('')
    } finally {
      await app.close()
      temp.cleanup()
    }
  })

  test('shows a tray icon that says the miner is idle, and the logs folder in Settings', async () => {
    const temp = tempDataDir()
    const app = await launch(temp.dir)
    try {
      const window = await app.firstWindow()
      await expect
        .poll(() => app.evaluate(() => (globalThis as { gridforgeE2e?: { tray(): unknown } }).gridforgeE2e?.tray() ?? null))
        .toEqual({ status: 'idle', tooltip: 'GridForge: not earning' })
      await window.getByRole('button', { name: 'Settings' }).click()
      await expect(window.getByTestId('logs-dir')).toHaveText(join(temp.dir, 'logs'))
      await expect(window.getByLabel('Start GridForge when I log in')).not.toBeChecked()
      await expect(window.getByTestId('update-state')).toContainText('Updates are off')
    } finally {
      await app.close()
      temp.cleanup()
    }
  })

  test('a second launch focuses the first window and exits', async () => {
    if ('skip' in binary) return
    const temp = tempDataDir()
    const app = await launch(temp.dir)
    try {
      await app.firstWindow()
      await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.hide())
      const second = spawn(binary.path, [...rootArgs, repoRoot], { env: environment(temp.dir), stdio: 'ignore' })
      const code = await new Promise<number | null>((resolve) => second.once('exit', resolve))
      expect(code).toBe(0)
      await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.isVisible()))).toEqual([true])
    } finally {
      await app.close()
      temp.cleanup()
    }
  })

  test('reopens the window where it was left', async () => {
    const temp = tempDataDir()
    try {
      const first = await launch(temp.dir)
      await first.firstWindow()
      await first.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.setBounds({ x: 40, y: 30, width: 900, height: 640 }))
      await first.close()
      const second = await launch(temp.dir)
      await second.firstWindow()
      const bounds = await second.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.getBounds())
      expect(bounds).toMatchObject({ width: 900, height: 640 })
      await second.close()
    } finally {
      temp.cleanup()
    }
  })
})
