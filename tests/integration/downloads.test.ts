import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadCatalog } from '../../src/main/models/catalog.js'
import { downloadTestbedEachTest, waitUntil } from '../support/downloadHarness.js'
import { startFileServer } from '../support/fileServer.js'
import { freePort } from '../support/freePort.js'
import { tinyModel } from '../support/paths.js'

const MODEL = 'models/tiny.gguf'
const size = statSync(tinyModel).size

const dl = downloadTestbedEachTest('gridforge-dl-', {
  [MODEL]: tinyModel,
  'models/other.gguf': tinyModel,
  'page.gguf': join(import.meta.dirname, '..', '..', 'package.json'),
})

const modelFiles = () => readdirSync(dl.dir).filter((name) => name.includes('.gguf'))
const sameAsServed = (name: string) => readFileSync(join(dl.dir, name)).equals(readFileSync(tinyModel))

describe('downloading a model', () => {
  it('downloads, verifies against the advertised sha256, registers it, and reports throttled progress', async () => {
    dl.server.faults = { bytesPerSecond: 2_000_000 }
    const downloads = dl.manager()
    const started = downloads.enqueue(dl.server.url(MODEL))
    const done = await dl.settled(downloads, started.id)
    expect(done).toMatchObject({ state: 'done', receivedBytes: size, totalBytes: size, error: null })
    expect(sameAsServed('tiny.gguf')).toBe(true)
    const model = dl.repo.findModelByPath(join(dl.dir, 'tiny.gguf'))
    expect(model).toMatchObject({ owned: true, sha256: dl.server.sha256(MODEL), source: dl.server.url(MODEL) })
    expect(done.modelId).toBe(model?.id)
    const progress = dl.events.flat().filter((d) => d.id === started.id && d.state === 'downloading' && d.receivedBytes > 0)
    expect(progress.some((d) => d.bytesPerSecond > 0 && d.etaSeconds !== null)).toBe(true)
    // 16 KiB chunks would be ~70 events; throttling keeps it to a few per second.
    expect(progress.length).toBeLessThan(20)
    expect(modelFiles()).toEqual(['tiny.gguf'])
  })

  it('resumes after the connection drops at 40%, and the checksum matches', async () => {
    dl.server.faults = { dropAtFraction: 0.4 }
    const downloads = dl.manager()
    const done = await dl.settled(downloads, downloads.enqueue(dl.server.url(MODEL)).id)
    expect(done.state).toBe('done')
    const ranged = dl.server.requests.filter((r) => r.method === 'GET' && r.range)
    const resumedFrom = Number(/bytes=(\d+)-/.exec(ranged.at(-1)?.range ?? '')?.[1])
    expect(resumedFrom).toBe(Math.floor(size * 0.4))
    expect(ranged).toHaveLength(1)
    expect(sameAsServed('tiny.gguf')).toBe(true)
    expect(dl.repo.findModelByPath(join(dl.dir, 'tiny.gguf'))?.sha256).toBe(dl.server.sha256(MODEL))
  })

  it('retries when the server answers 500 twice', async () => {
    dl.server.faults = { fail500: 2 }
    const downloads = dl.manager()
    const done = await dl.settled(downloads, downloads.enqueue(dl.server.url(MODEL)).id)
    expect(done).toMatchObject({ state: 'done' })
    expect(dl.server.requests.filter((r) => r.status === 500)).toHaveLength(2)
    expect(dl.events.flat().some((d) => /HTTP 500.*Retrying/.test(d.error ?? ''))).toBe(true)
    expect(sameAsServed('tiny.gguf')).toBe(true)
  })

  it('a host that refuses the connection is said in words, with each retry counted, and then gives up', async () => {
    const downloads = dl.manager()
    // Nothing listens there: every attempt is refused at once.
    const port = await freePort()
    const started = downloads.enqueue(`http://127.0.0.1:${port}/models/tiny.gguf`)
    const failed = await dl.settled(downloads, started.id, ['failed'])
    const notes = dl.events.flat().flatMap((d) => (d.id === started.id && d.error ? [d.error] : []))
    const refused = `127.0.0.1:${port} refused the connection; the server is down or the address is wrong.`
    for (let attempt = 1; attempt <= 6; attempt++) {
      expect(notes).toContain(`${refused} Retrying in 1 s, attempt ${attempt} of 6.`)
    }
    expect(failed.error).toBe(`${refused} Gave up after 6 attempts; Retry continues where it stopped.`)
    expect(notes.join('\n')).not.toMatch(/ECONNREFUSED|fetch failed/)
  })

  it('rejects wrong bytes by checksum: an error in words, the file deleted, nothing registered', async () => {
    dl.server.faults = { corrupt: true }
    const downloads = dl.manager()
    const failed = await dl.settled(downloads, downloads.enqueue(dl.server.url(MODEL)).id)
    expect(failed.state).toBe('failed')
    expect(failed.error).toMatch(/damaged \(sha256 .* instead of .*\); it was deleted/)
    expect(modelFiles()).toEqual([])
    expect(dl.repo.listModels()).toEqual([])
  })

  it('checks a checksum given by the user', async () => {
    const downloads = dl.manager()
    const failed = await dl.settled(downloads, downloads.enqueue(dl.server.url(MODEL), 'a'.repeat(64)).id)
    expect(failed.error).toMatch(/damaged/)
    expect(dl.repo.listModels()).toEqual([])
  })

  it('starts over cleanly when the server does not support Range', async () => {
    dl.server.faults = { noRange: true, dropAtFraction: 0.4 }
    const downloads = dl.manager()
    const done = await dl.settled(downloads, downloads.enqueue(dl.server.url(MODEL)).id)
    expect(done.state).toBe('done')
    expect(dl.server.requests.filter((r) => r.method === 'GET').every((r) => r.status === 200)).toBe(true)
    expect(sameAsServed('tiny.gguf')).toBe(true)
  })

  it('pauses keeping the partial file, and resumes from it', async () => {
    dl.server.faults = { bytesPerSecond: 300_000 }
    const downloads = dl.manager()
    const { id } = downloads.enqueue(dl.server.url(MODEL))
    await waitUntil(() => (downloads.list()[0]?.receivedBytes ?? 0) > size * 0.25)
    const paused = await downloads.pause(id)
    expect(paused.state).toBe('paused')
    const kept = statSync(join(dl.dir, 'tiny.gguf.part')).size
    expect(kept).toBeGreaterThan(size * 0.2)
    dl.server.faults = {}
    downloads.resume(id)
    expect((await dl.settled(downloads, id, ['done', 'failed'])).state).toBe('done')
    expect(dl.server.requests.at(-1)?.range).toBe(`bytes=${kept}-`)
    expect(sameAsServed('tiny.gguf')).toBe(true)
  })

  it('cancels: the partial file is deleted and the download leaves the queue', async () => {
    dl.server.faults = { bytesPerSecond: 300_000 }
    const downloads = dl.manager()
    const { id } = downloads.enqueue(dl.server.url(MODEL))
    await waitUntil(() => (downloads.list()[0]?.receivedBytes ?? 0) > 0)
    await downloads.cancel(id)
    expect(downloads.list()).toEqual([])
    expect(modelFiles()).toEqual([])
  })

  it('queues several downloads and runs them one after another', async () => {
    dl.server.faults = { bytesPerSecond: 1_500_000 }
    const downloads = dl.manager()
    const first = downloads.enqueue(dl.server.url(MODEL))
    const second = downloads.enqueue(dl.server.url('models/other.gguf'))
    expect(() => downloads.enqueue(dl.server.url(MODEL))).toThrow(/tiny\.gguf is already in the download queue/)
    expect(downloads.list().map((d) => d.state)).toEqual(['downloading', 'queued'])
    await dl.settled(downloads, first.id)
    expect((await dl.settled(downloads, second.id)).state).toBe('done')
    expect(modelFiles().sort()).toEqual(['other.gguf', 'tiny.gguf'])
  })

  it('refuses to start without enough disk space, writing nothing', async () => {
    const downloads = dl.manager({ freeBytes: async () => 100_000 })
    const failed = await dl.settled(downloads, downloads.enqueue(dl.server.url(MODEL)).id)
    expect(failed.error).toMatch(/^Not enough disk space for tiny\.gguf: it needs 0\.00 GB plus 0\.27 GB to spare, and 0\.00 GB is free/)
    expect(modelFiles()).toEqual([])
  })

  it('says so for a 404 and for a URL that is not a GGUF file, leaving nothing behind', async () => {
    const downloads = dl.manager()
    const missing = await dl.settled(downloads, downloads.enqueue(dl.server.url('models/none.gguf')).id)
    expect(missing.error).toBe('The server has no file at that address (HTTP 404).')
    const page = await dl.settled(downloads, downloads.enqueue(dl.server.url('page.gguf')).id)
    expect(page.error).toBe('The address does not serve a GGUF model file.')
    expect(modelFiles()).toEqual([])
    expect(dl.repo.listModels()).toEqual([])
  })

  it('refuses sources whose file name could escape the models folder, before anything is written', () => {
    const downloads = dl.manager()
    expect(() => downloads.enqueue(`${dl.server.origin}/x/..%2F..%2Fevil.gguf`)).toThrow(/plain \.gguf file name/)
    expect(() => downloads.enqueue(`${dl.server.origin}/x/model.bin`)).toThrow(/plain \.gguf file name/)
    expect(() => downloads.enqueue('hf:user/repo')).toThrow(/hf:<user>\/<repo>\/<file>\.gguf/)
    expect(() => downloads.enqueue('/etc/passwd')).toThrow(/not a catalog model/)
    expect(() => downloads.enqueue(dl.server.url(MODEL), 'xyz')).toThrow(/64 hexadecimal/)
    expect(downloads.list()).toEqual([])
    expect(readdirSync(dl.dir).filter((name) => name !== 'gridforge.db' && !name.startsWith('gridforge.db-'))).toEqual([])
  })

  it('downloads a catalog model from the Hugging Face endpoint it is configured with', async () => {
    const entry = loadCatalog()[0]!
    const path = entry.uri.replace(/^hf:([^/]+)\/([^/]+)\//, '$1/$2/resolve/main/')
    await dl.server.close()
    dl.server = await startFileServer({ [path]: tinyModel })
    const downloads = dl.manager({ hfEndpoint: dl.server.origin })
    const done = await dl.settled(downloads, downloads.enqueue(entry.id).id)
    expect(done).toMatchObject({ state: 'done', catalogId: entry.id })
    expect(dl.repo.findModelByPath(join(dl.dir, entry.fileName))).toMatchObject({ catalogId: entry.id, owned: true })
  })
})

describe('the download queue across restarts', () => {
  it('continues a download left in flight by the last run from its partial file', async () => {
    dl.server.faults = { bytesPerSecond: 300_000 }
    const first = dl.manager()
    const { id } = first.enqueue(dl.server.url(MODEL))
    await waitUntil(() => (first.list()[0]?.receivedBytes ?? 0) > size * 0.25)
    await first.close()
    expect(dl.repo.getDownload(id)?.state).toBe('queued')
    const kept = statSync(join(dl.dir, 'tiny.gguf.part')).size
    dl.server.faults = {}
    const second = dl.manager()
    second.start()
    expect((await dl.settled(second, id)).state).toBe('done')
    expect(dl.server.requests.at(-1)?.range).toBe(`bytes=${kept}-`)
    expect(existsSync(join(dl.dir, 'tiny.gguf.part'))).toBe(false)
    expect(sameAsServed('tiny.gguf')).toBe(true)
  })
})

describe('stale and cancelled downloads', () => {
  it('downloads a registered model again when its file has gone, replacing the stale registration', async () => {
    const downloads = dl.manager()
    await dl.settled(downloads, downloads.enqueue(dl.server.url(MODEL)).id)
    rmSync(join(dl.dir, 'tiny.gguf'))
    const again = await dl.settled(downloads, downloads.enqueue(dl.server.url(MODEL)).id)
    expect(again.state).toBe('done')
    expect(dl.repo.listModels().filter((m) => m.fileName === 'tiny.gguf')).toHaveLength(1)
    expect(sameAsServed('tiny.gguf')).toBe(true)
  })
})
