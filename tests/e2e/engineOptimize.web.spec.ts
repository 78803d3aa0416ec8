import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'

const temp = tempDataDir()
const token = 'e2e-engine-token-0123456789abcdef'
// A PC with Git and a compiler but no CMake: the serve finds only these on its PATH.
const bin = mkdtempSync(join(tmpdir(), 'gridforge-path-'))
let serve: ServeProcess

test.beforeAll(async () => {
  requireBuild()
  for (const command of ['git', 'c++', 'g++']) {
    const found = execFileSync('sh', ['-c', `command -v ${command} || true`], { encoding: 'utf8' }).trim()
    if (found) symlinkSync(found, join(bin, command))
  }
  serve = await startServe(temp.dir, token, 0, { PATH: bin })
})
test.afterAll(async () => {
  await serve?.stop()
  temp.cleanup()
  rmSync(bin, { recursive: true, force: true })
})

test('Settings › Engine: optimizing without CMake says what to install and keeps the standard engine', async ({ page }) => {
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click()
  const card = page.getByLabel('Engine', { exact: true })
  await expect(card.getByTestId('engine-flavor')).toHaveText('Running: the standard engine.')
  await card.getByRole('button', { name: 'Optimize the engine for this PC' }).click()
  await expect(card.getByTestId('engine-build-outcome')).toHaveText(
    /^Optimizing the engine needs CMake, which this PC does not have: install them \(Debian and Ubuntu: sudo apt install cmake build-essential git.*\), then try again; the standard engine stays in use\.$/,
  )
  await expect(card.getByTestId('engine-flavor')).toHaveText('Running: the standard engine.')
  await expect(card.getByRole('button', { name: 'Use the standard engine' })).toHaveCount(0)
})
