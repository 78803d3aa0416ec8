import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DownloadSnapshot } from '../../src/shared/models.js'
import { startFileServer, type FileServer } from '../support/fileServer.js'
import { requireBuild, tempDataDir, tinyModel } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'
import { TestClient } from '../support/wsClient.js'

const temp = tempDataDir()
const size = statSync(tinyModel).size
let files: FileServer
let serve: ServeProcess | null = null

beforeAll(async () => {
  requireBuild()
  files = await startFileServer({ 'dl/story.gguf': tinyModel }, { bytesPerSecond: 150_000 })
})
afterAll(async () => {
  await serve?.stop()
  await files.close()
  temp.cleanup()
})

describe('a download when the app is killed', () => {
  it('resumes from its partial file after a restart, and the model is registered and verified', async () => {
    serve = await startServe(temp.dir)
    let client = await TestClient.connect(serve.url, serve.token)
    const started = await client.value('models.download', { source: files.url('dl/story.gguf'), sha256: null })
    await client.waitFor('models.downloads', (list: DownloadSnapshot[]) =>
      list.some((d) => d.id === started.id && d.receivedBytes > size * 0.3),
    )
    await serve.stop('SIGKILL')
    const part = join(temp.dir, 'models', 'story.gguf.part')
    const kept = statSync(part).size
    expect(kept).toBeGreaterThan(size * 0.2)

    files.faults = {}
    serve = await startServe(temp.dir)
    client = await TestClient.connect(serve.url, serve.token)
    // The resumed download may finish before this client connects: ask, rather than only wait for events.
    for (let i = 0; i < 300; i++) {
      const list = await client.value('models.downloads', {})
      if (list.some((d) => d.id === started.id && d.state === 'done')) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const resumed = files.requests.filter((r) => r.method === 'GET').at(-1)
    expect(Number(/bytes=(\d+)-/.exec(resumed?.range ?? '')?.[1])).toBeGreaterThanOrEqual(kept)
    expect(existsSync(part)).toBe(false)
    expect(readFileSync(join(temp.dir, 'models', 'story.gguf')).equals(readFileSync(tinyModel))).toBe(true)
    const local = await client.value('models.listLocal', {})
    expect(local.find((m) => m.fileName === 'story.gguf')).toMatchObject({ owned: true, sha256: files.sha256('dl/story.gguf') })
  })

  it('refuses to remove a loaded model, and removing it after unloading deletes the downloaded file', async () => {
    const client = await TestClient.connect(serve!.url, serve!.token)
    const story = (await client.value('models.listLocal', {})).find((m) => m.fileName === 'story.gguf')!
    await client.value('engine.load', { path: story.path })
    expect(await client.call('models.remove', { modelId: story.id })).toMatchObject({
      ok: false,
      error: { code: 'BUSY', message: 'story.gguf is loaded; unload it before removing it.' },
    })
    await client.value('engine.unload', {})
    expect(await client.value('models.remove', { modelId: story.id })).toEqual({ fileDeleted: true })
    expect(existsSync(story.path)).toBe(false)
  })
})
