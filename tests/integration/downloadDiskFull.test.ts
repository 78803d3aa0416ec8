import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { DownloadManager } from '../../src/main/models/downloadManager.js'
import { ModelsRepository } from '../../src/main/store/modelsRepository.js'
import { downloadTestbedEachTest, waitUntil } from '../support/downloadHarness.js'
import { tinyModel } from '../support/paths.js'

const MODEL = 'models/tiny.gguf'
const size = statSync(tinyModel).size

const dl = downloadTestbedEachTest('gridforge-dlfull-', { [MODEL]: tinyModel })

/** A disk whose free space the test sets; `sqliteFull` makes every queue write fail as SQLite does on a full disk. */
function fakeDisk() {
  const disk = { free: 100e9, sqliteFull: false }
  const failing = new Proxy(dl.repo, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown
      if (name !== 'updateDownload' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value
      return (...args: unknown[]) => {
        if (disk.sqliteFull) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { disk, repo: failing }
}

function manager(
  disk: { free: number },
  queueRepo: ModelsRepository,
  options: Partial<ConstructorParameters<typeof DownloadManager>[0]> = {},
) {
  return dl.manager({ repo: queueRepo, freeBytes: async () => disk.free, spaceCheckEveryBytes: 64 * 1024, ...options })
}

const gets = () => dl.server.requests.filter((r) => r.method === 'GET').length

describe('a disk that fills during a download', () => {
  it('stops with the disk-full sentence even when SQLite cannot save that, and stays paused until resumed', async () => {
    dl.server.faults = { bytesPerSecond: 400_000 }
    const { disk, repo: queue } = fakeDisk()
    const downloads = manager(disk, queue)
    const { id } = downloads.enqueue(dl.server.url(MODEL))
    await waitUntil(() => (downloads.list()[0]?.receivedBytes ?? 0) > 64 * 1024)
    disk.free = 1000
    disk.sqliteFull = true
    const paused = await dl.settled(downloads, id)
    expect(paused.state).toBe('paused')
    expect(paused.error).toMatch(/^Not enough disk space for tiny\.gguf/)
    expect(statSync(join(dl.dir, 'tiny.gguf.part')).size).toBeLessThan(size)

    // Space comes back: nothing starts by itself (that would fill the disk again).
    disk.free = 100e9
    disk.sqliteFull = false
    const requestsBefore = gets()
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(gets()).toBe(requestsBefore)
    expect(downloads.list()[0]?.state).toBe('paused')

    dl.server.faults = {}
    downloads.resume(id)
    expect((await dl.settled(downloads, id, ['done', 'failed'])).state).toBe('done')
    expect(readFileSync(join(dl.dir, 'tiny.gguf')).equals(readFileSync(tinyModel))).toBe(true)
  })

  it('checks the free space while bytes arrive when the server sends no Content-Length', async () => {
    dl.server.faults = { noContentLength: true, bytesPerSecond: 400_000 }
    const { disk, repo: queue } = fakeDisk()
    const downloads = manager(disk, queue)
    const { id } = downloads.enqueue(dl.server.url(MODEL))
    await waitUntil(() => (downloads.list()[0]?.receivedBytes ?? 0) > 64 * 1024)
    disk.free = 1000
    const paused = await dl.settled(downloads, id)
    expect(paused).toMatchObject({ state: 'paused', error: 'The disk is full; free some space and resume the download.' })
    expect(statSync(join(dl.dir, 'tiny.gguf.part')).size).toBeLessThan(size)
  })

  it('does not start a download of unknown size on a disk that is already full', async () => {
    dl.server.faults = { noContentLength: true }
    const { disk, repo: queue } = fakeDisk()
    disk.free = 1000
    const downloads = manager(disk, queue)
    const paused = await dl.settled(downloads, downloads.enqueue(dl.server.url(MODEL)).id)
    expect(paused).toMatchObject({ state: 'paused', error: 'The disk is full; free some space and resume the download.' })
    expect(readdirSync(dl.dir).filter((name) => name.includes('.gguf'))).toEqual([])
  })
})

describe('the GGUF magic check', () => {
  it('accepts a valid GGUF whose first chunk is shorter than the magic', async () => {
    dl.server.faults = { firstChunkBytes: 2 }
    const { disk, repo: queue } = fakeDisk()
    const downloads = manager(disk, queue)
    const done = await dl.settled(downloads, downloads.enqueue(dl.server.url(MODEL)).id)
    expect(done).toMatchObject({ state: 'done', error: null, receivedBytes: size })
    expect(readFileSync(join(dl.dir, 'tiny.gguf')).equals(readFileSync(tinyModel))).toBe(true)
  })
})
