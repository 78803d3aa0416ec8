import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFileServer, type FileServer } from '../support/fileServer.js'
import { requireBuild, tempDataDir, tinyModel } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'
import { TestClient } from '../support/wsClient.js'

// Large enough for the app's own policy to take parts (64 MiB and up, 32 MiB segments): three segments.
const SIZE = 72 * 1024 * 1024
const temp = tempDataDir()
const source = join(temp.dir, 'served.gguf')
let files: FileServer
let serve: ServeProcess | null = null

beforeAll(async () => {
  requireBuild()
  // The test model's header (so the finished file registers as a model) followed by random bytes.
  const body = randomBytes(SIZE)
  readFileSync(tinyModel).copy(body)
  writeFileSync(source, body)
  files = await startFileServer({ 'dl/big.gguf': source }, { bytesPerSecond: 1_500_000 })
})
afterAll(async () => {
  await serve?.stop()
  await files.close()
  temp.cleanup()
})

type Plan = { size: number; segments: Array<[number, number, number]> }
const planPath = join(temp.dir, 'models', 'big.gguf.part.ranges')
const readPlan = (): Plan | null => (existsSync(planPath) ? (JSON.parse(readFileSync(planPath, 'utf8')) as Plan) : null)

describe('a ranged download when the app is killed', () => {
  it('continues each part from the bytes its plan records, fetches no finished byte again, and verifies', async () => {
    serve = await startServe(temp.dir)
    const client = await TestClient.connect(serve.url, serve.token)
    const started = await client.value('models.download', { source: files.url('dl/big.gguf'), sha256: null })
    for (let i = 0; i < 400; i++) {
      const plan = readPlan()
      if (plan && plan.segments.filter(([, , received]) => received > 0).length >= 2) break
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    await serve.stop('SIGKILL')
    const plan = readPlan()!
    expect(plan.segments).toHaveLength(3)
    expect(plan.segments.filter(([, , received]) => received > 0).length).toBeGreaterThanOrEqual(2)
    const before = files.requests.length

    files.faults = {}
    serve = await startServe(temp.dir)
    const again = await TestClient.connect(serve.url, serve.token)
    for (let i = 0; i < 600; i++) {
      const list = await again.value('models.downloads', {})
      if (list.some((d) => d.id === started.id && (d.state === 'done' || d.state === 'failed'))) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const resumed = files.requests.slice(before).filter((r) => r.method === 'GET')
    const rest = plan.segments.filter(([start, end, received]) => start + received < end)
    expect(resumed.map((r) => r.range).sort()).toEqual(rest.map(([start, end, received]) => `bytes=${start + received}-${end - 1}`).sort())
    expect(readFileSync(join(temp.dir, 'models', 'big.gguf')).equals(readFileSync(source))).toBe(true)
    expect(existsSync(planPath)).toBe(false)
    const local = await again.value('models.listLocal', {})
    expect(local.find((m) => m.fileName === 'big.gguf')).toMatchObject({ owned: true, sha256: files.sha256('dl/big.gguf') })
  })
})
