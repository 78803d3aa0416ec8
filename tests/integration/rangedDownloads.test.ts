import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { PartsPolicy } from '../../src/main/models/downloadTransfer.js'
import { downloadTestbedEachTest, waitUntil } from '../support/downloadHarness.js'
import { tinyModel } from '../support/paths.js'

const MODEL = 'models/tiny.gguf'
const size = statSync(tinyModel).size
const SEGMENT = 256 * 1024
/** The app's policy scaled to the 1.1 MB test model: 5 segments over 3 connections. */
const parts: PartsPolicy = { connections: 3, segmentBytes: SEGMENT, minBytes: 0, partRetries: 3, retryDelayMs: 20 }
const segments = Array.from(
  { length: Math.ceil(size / SEGMENT) },
  (_, i) => `bytes=${i * SEGMENT}-${Math.min(size, (i + 1) * SEGMENT) - 1}`,
)

const dl = downloadTestbedEachTest('gridforge-ranged-', { [MODEL]: tinyModel }, { parts })

const gets = () => dl.server.requests.filter((r) => r.method === 'GET')
const sameAsServed = () => readFileSync(join(dl.dir, 'tiny.gguf')).equals(readFileSync(tinyModel))
const leftovers = () => readdirSync(dl.dir).filter((name) => name.includes('.part'))
const planOf = () =>
  JSON.parse(readFileSync(join(dl.dir, 'tiny.gguf.part.ranges'), 'utf8')) as { segments: Array<[number, number, number]> }

describe('a download in parallel ranged parts', () => {
  it('fetches each segment once over several connections at a time, and the file verifies and registers', async () => {
    dl.server.faults = { bytesPerSecond: 1_000_000 }
    const downloads = dl.manager()
    const done = await dl.settled(downloads, downloads.enqueue(dl.server.url(MODEL)).id)
    expect(done).toMatchObject({ state: 'done', receivedBytes: size, error: null })
    expect(
      gets()
        .map((r) => r.range)
        .sort(),
    ).toEqual([...segments].sort())
    expect(gets().every((r) => r.status === 206)).toBe(true)
    // Parts are fetched at the same time (the server may briefly see a finished part overlap the next one).
    expect(dl.server.peakConcurrentGets).toBeGreaterThanOrEqual(2)
    expect(sameAsServed()).toBe(true)
    expect(dl.repo.findModelByPath(join(dl.dir, 'tiny.gguf'))?.sha256).toBe(dl.server.sha256(MODEL))
    expect(leftovers()).toEqual([])
    const progress = dl.events
      .flat()
      .filter((d) => d.state === 'downloading')
      .map((d) => d.receivedBytes)
    expect(progress.some((bytes) => bytes > 0 && bytes < size)).toBe(true)
  })

  it('asks again only for the rest of a part whose connection drops, while the other parts are not fetched again', async () => {
    dl.server.faults = { dropAtFraction: 0.4 }
    const logs: string[] = []
    const downloads = dl.manager({ log: (line) => logs.push(line) })
    const done = await dl.settled(downloads, downloads.enqueue(dl.server.url(MODEL)).id)
    expect(done.state).toBe('done')
    const cut = Math.floor(size * 0.4)
    const cutSegment = Math.floor(cut / SEGMENT)
    const again = `bytes=${cut}-${(cutSegment + 1) * SEGMENT - 1}`
    expect(
      gets()
        .map((r) => r.range)
        .sort(),
    ).toEqual([...segments, again].sort())
    // The drop never reached the retry countdown: the part was asked again on its own.
    expect(dl.events.flat().some((d) => /Retrying/.test(d.error ?? ''))).toBe(false)
    expect(logs.filter((line) => /^download of tiny\.gguf: .* \(attempt 1 of 3 for this part\)$/.test(line))).toHaveLength(1)
    expect(sameAsServed()).toBe(true)
  })

  it('resumes each part where its bytes end after a pause', async () => {
    dl.server.faults = { bytesPerSecond: 150_000 }
    const downloads = dl.manager()
    const { id } = downloads.enqueue(dl.server.url(MODEL))
    await waitUntil(() => (downloads.list()[0]?.receivedBytes ?? 0) > size * 0.2)
    expect((await downloads.pause(id)).state).toBe('paused')
    const plan = planOf().segments
    const before = gets().length
    dl.server.faults = {}
    downloads.resume(id)
    expect((await dl.settled(downloads, id, ['done', 'failed'])).state).toBe('done')
    const expected = plan
      .filter(([start, end, received]) => start + received < end)
      .map(([start, end, received]) => `bytes=${start + received}-${end - 1}`)
    expect(
      gets()
        .slice(before)
        .map((r) => r.range)
        .sort(),
    ).toEqual(expected.sort())
    expect(plan.some(([, , received]) => received > 0)).toBe(true)
    expect(sameAsServed()).toBe(true)
    expect(leftovers()).toEqual([])
  })

  it('cancels mid-way: the partial file and its plan are deleted and the download leaves the queue', async () => {
    dl.server.faults = { bytesPerSecond: 150_000 }
    const downloads = dl.manager()
    const { id } = downloads.enqueue(dl.server.url(MODEL))
    await waitUntil(() => (downloads.list()[0]?.receivedBytes ?? 0) > 0)
    expect(existsSync(join(dl.dir, 'tiny.gguf.part.ranges'))).toBe(true)
    await downloads.cancel(id)
    expect(downloads.list()).toEqual([])
    expect(leftovers()).toEqual([])
  })

  it('refuses damaged bytes by checksum and deletes the partial file and its plan', async () => {
    dl.server.faults = { corrupt: true }
    const downloads = dl.manager()
    const failed = await dl.settled(downloads, downloads.enqueue(dl.server.url(MODEL)).id)
    expect(failed.state).toBe('failed')
    expect(failed.error).toMatch(/damaged \(sha256 .* instead of .*\); it was deleted/)
    expect(leftovers()).toEqual([])
    expect(existsSync(join(dl.dir, 'tiny.gguf'))).toBe(false)
    expect(dl.repo.listModels()).toEqual([])
  })

  it('pauses with the disk-full sentence when the disk fills, keeps the parts, and finishes when resumed', async () => {
    dl.server.faults = { bytesPerSecond: 200_000 }
    const disk = { free: 100e9 }
    const downloads = dl.manager({ freeBytes: async () => disk.free, spaceCheckEveryBytes: 64 * 1024 })
    const { id } = downloads.enqueue(dl.server.url(MODEL))
    await waitUntil(() => (downloads.list()[0]?.receivedBytes ?? 0) > 128 * 1024)
    disk.free = 1000
    const paused = await dl.settled(downloads, id)
    expect(paused.state).toBe('paused')
    expect(paused.error).toMatch(/^Not enough disk space for tiny\.gguf/)
    const kept = planOf().segments.reduce((sum, [, , received]) => sum + received, 0)
    expect(kept).toBeGreaterThan(0)
    disk.free = 100e9
    dl.server.faults = {}
    downloads.resume(id)
    expect((await dl.settled(downloads, id, ['done', 'failed'])).state).toBe('done')
    expect(sameAsServed()).toBe(true)
  })
})

describe('a server that does not serve parts', () => {
  it('one that does not advertise ranges gets one plain stream', async () => {
    dl.server.faults = { noRange: true }
    const downloads = dl.manager()
    expect((await dl.settled(downloads, downloads.enqueue(dl.server.url(MODEL)).id)).state).toBe('done')
    expect(gets().map((r) => [r.range, r.status])).toEqual([[null, 200]])
    expect(sameAsServed()).toBe(true)
  })

  it('one that advertises ranges but answers with the whole file falls back to one stream', async () => {
    dl.server.faults = { rangesIgnored: true }
    const downloads = dl.manager()
    const done = await dl.settled(downloads, downloads.enqueue(dl.server.url(MODEL)).id)
    expect(done).toMatchObject({ state: 'done', error: null })
    expect(gets().every((r) => r.status === 200)).toBe(true)
    expect(sameAsServed()).toBe(true)
    expect(leftovers()).toEqual([])
  })
})
