import { expect, test, type WebSocketRoute } from '@playwright/test'
import { freePort } from '../support/freePort.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'
import { TestClient } from '../support/wsClient.js'

const temp = tempDataDir()
const token = 'e2e-token-status-race-0123456789'
let serve: ServeProcess
let host: TestClient

test.beforeAll(async () => {
  requireBuild()
  serve = await startServe(temp.dir, token, await freePort())
  host = await TestClient.connect(serve.url, token)
  // The engine is up before the page opens: the page's first engine status is "no model loaded".
  await host.value('models.hardware', {})
})
test.afterAll(async () => {
  host?.close()
  await serve?.stop()
  temp.cleanup()
})

type Frame = { type: 'result'; id: number } | { type: 'event'; name: string; payload: { state?: string } }

/**
 * The page's first reads answered out of step with the host's events, the way a busy host answers them: the
 * models list (which registers new files first) is held back until the engine has loaded a model and said so.
 */
test('an answer that was on its way while the engine changed does not put the old engine state back on screen', async ({ page }) => {
  const asked = new Map<number, string>()
  const held: string[] = []
  let browser: WebSocketRoute | null = null
  let holding = true
  let engineStatusAnswered = (): void => undefined
  let modelReadyForwarded = (): void => undefined
  const statusAnswered = new Promise<void>((resolve) => (engineStatusAnswered = resolve))
  const readyForwarded = new Promise<void>((resolve) => (modelReadyForwarded = resolve))
  await page.routeWebSocket(/\/api$/, (ws) => {
    browser = ws
    const server = ws.connectToServer()
    ws.onMessage((message) => {
      const frame = JSON.parse(String(message)) as { id: number; name: string }
      asked.set(frame.id, frame.name)
      server.send(message)
    })
    server.onMessage((message) => {
      const frame = JSON.parse(String(message)) as Frame
      const answers = frame.type === 'result' ? asked.get(frame.id) : null
      if (holding && answers === 'models.listLocal') {
        held.push(String(message))
        return
      }
      ws.send(message)
      if (answers === 'engine.status') engineStatusAnswered()
      if (frame.type === 'event' && frame.name === 'engine.snapshot' && frame.payload.state === 'ready') modelReadyForwarded()
    })
  })

  await page.goto(`${serve.url}#token=${token}`)
  await statusAnswered
  await host.value('engine.load', { path: temp.model })
  await readyForwarded
  holding = false
  for (const message of held.splice(0)) browser!.send(message)

  // A conversation made after the held answers were let through: once the page lists it, it has read them.
  await host.value('chat.send', { conversationId: null, text: 'A marker after the held answers' })
  await expect(page.getByRole('navigation', { name: 'Conversations' }).getByText('A marker after the held answers')).toBeVisible()
  const engineStatus = page.locator('.engine-status[data-engine-state]')
  await expect(engineStatus).toHaveAttribute('data-engine-state', 'ready')
  await expect(engineStatus).toHaveText(/stories260K\.gguf loaded/)
})
