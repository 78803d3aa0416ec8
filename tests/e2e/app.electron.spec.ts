import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { _electron as electron, expect, test } from '@playwright/test'
import { repoRoot, requireBuild, tempDataDir } from '../support/paths.js'

/**
 * The Electron binary is downloaded on first use, not at install. Where it is absent (no internet, as on
 * CI here) or there is no display, this test is skipped with one line saying why.
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
  return { path: binary }
}

const binary = electronBinary()

test('the desktop app opens, loads the test model and chats', async () => {
  if ('skip' in binary) {
    process.stdout.write(`${binary.skip}\n`)
    test.skip(true, binary.skip)
    return
  }
  requireBuild()
  const temp = tempDataDir()
  const app = await electron.launch({
    executablePath: binary.path,
    args: [repoRoot],
    env: { ...process.env, GRIDFORGE_DATA_DIR: temp.dir, GRIDFORGE_GPU: 'off' },
  })
  try {
    const window = await app.firstWindow()
    expect(await window.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined')
    await window.getByLabel('Model').fill(temp.model)
    await window.getByRole('button', { name: 'Load' }).click()
    await expect(window.getByText(/stories260K\.gguf loaded/)).toBeVisible()
    await window.getByLabel('Message').fill('Once upon a time')
    await window.getByLabel('Message').press('Enter')
    await expect(window.locator('.message.assistant')).toHaveAttribute('data-state', 'complete')
  } finally {
    await app.close()
    temp.cleanup()
  }
})
