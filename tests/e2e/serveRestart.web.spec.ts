import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { freePort } from '../support/freePort.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'

const temp = tempDataDir()
let port = 0
let serve: ServeProcess | undefined

test.beforeAll(async () => {
  requireBuild()
  port = await freePort()
})
test.afterAll(async () => {
  await serve?.stop()
  temp.cleanup()
})

test('serve keeps its token: an open tab and a bookmark get back in after a restart; a stopped server is said so', async ({
  page,
  browser,
}) => {
  // Started as a user starts it: no --token.
  serve = await startServe(temp.dir, null, port)
  const tokenFile = join(temp.dir, 'secrets', 'serve-token.secret')
  const first = serve.token
  expect(readFileSync(tokenFile, 'utf8')).toBe(first)
  expect(statSync(tokenFile).mode & 0o777).toBe(0o600)
  const link = `${serve.url}#token=${first}`

  await page.goto(link)
  const status = page.getByRole('status').filter({ hasText: 'No model loaded' })
  await expect(status).toBeVisible()

  await serve.stop()
  const down = page.getByRole('alert').filter({ hasText: 'GridForge is not running' })
  await expect(down).toHaveText(
    `Connection lost: GridForge is not running at http://127.0.0.1:${port}, start it with gridforge serve --port ${port}. This page reconnects by itself when it is back.`,
  )

  serve = await startServe(temp.dir, null, port)
  expect(serve.token).toBe(first)
  await expect(down).toHaveCount(0)
  // The tab works again: a call answers.
  await page.getByLabel('Model').selectOption(temp.model)
  await page.getByRole('button', { name: 'Load' }).click()
  await expect(page.getByRole('status').filter({ hasText: /stories260K\.gguf loaded/ })).toBeVisible()

  // The printed link, bookmarked in another browser, still gets in; so does the page's address in this one.
  const elsewhere = await browser.newContext()
  const bookmark = await elsewhere.newPage()
  await bookmark.goto(link)
  await expect(bookmark.getByRole('status').filter({ hasText: /stories260K\.gguf loaded/ })).toBeVisible()
  await elsewhere.close()
  const again = await page.context().newPage()
  await again.goto(serve.url)
  await expect(again.getByRole('status').filter({ hasText: /stories260K\.gguf loaded/ })).toBeVisible()
  await again.close()

  // --new-token: the old link stops working, and the open tab says what to do instead of retrying forever.
  await serve.stop()
  serve = await startServe(temp.dir, null, port, {}, ['--new-token'])
  expect(serve.token).not.toBe(first)
  expect(readFileSync(tokenFile, 'utf8')).toBe(serve.token)
  await expect(page.getByRole('alert')).toContainText('This page needs the access link')
})
