import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer, type WebSocket } from 'ws'
import type { GridJob, GridSession } from '../../src/worker/gridTransport.js'
import { createWorkerReport } from '../../src/main/cli/workerReport.js'
import { aipgTransport } from '../../src/worker/transports/aipgTransport.js'
import type { WorkerConfig } from '../../src/worker/workerTypes.js'
import { FakeClock } from '../support/workerFakes.js'

/** A grid socket the test scripts frame by frame, recording what the worker sends. */
async function scriptedGrid() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise((resolve) => server.once('listening', resolve))
  const received: Array<Record<string, unknown>> = []
  let socket: WebSocket | null = null
  server.on('connection', (ws) => {
    socket = ws
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>
      received.push(frame)
      if ('apikey' in frame) ws.send(JSON.stringify({ type: 'ready', worker_id: 'w1' }))
    })
  })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    send: (frame: Record<string, unknown>) => socket?.send(JSON.stringify(frame)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate()
        server.close(() => resolve())
      }),
  }
}

let grid: Awaited<ReturnType<typeof scriptedGrid>> | null = null
afterEach(async () => {
  await grid?.close()
  grid = null
})

const config = (gridUrl: string): WorkerConfig => ({
  network: 'aipg',
  gridUrl,
  apiKey: 'dev-key-alice',
  name: 'dup-test',
  models: ['grid/stories260K'],
  slots: 1,
  maxLength: 64,
  maxContextLength: 256,
  agent: 'GridForge:test:local',
})

const job = (id: string) => ({
  type: 'job',
  id,
  model: 'grid/stories260K',
  payload: { request: { messages: [{ role: 'user', content: 'Hi' }] } },
})
const result = { text: 'Hello', finishReason: 'stop' as const, promptTokens: 1, completionTokens: 1, durationMs: 1, firstTokenMs: 1 }

/** The next job, or null when none came within `ms`. */
async function nextJob(session: GridSession, ms = 300): Promise<GridJob | null> {
  const idle = new AbortController()
  const timer = setTimeout(() => idle.abort(), ms)
  const next = await session.next({ idle: idle.signal, force: new AbortController().signal })
  clearTimeout(timer)
  return next.type === 'job' ? next.job : null
}

describe('the AIPG transport against a misbehaving grid', () => {
  it('answers a job id sent twice once, whether the copy comes during the run or after it', async () => {
    grid = await scriptedGrid()
    const warnings: string[] = []
    const transport = aipgTransport(config(grid.url), {
      clock: new FakeClock(),
      logger: { info: () => undefined, warn: (line) => warnings.push(line) },
    })
    const session = await transport.open(0, new AbortController().signal)
    grid.send(job('job-one'))
    const first = await nextJob(session)
    expect(first?.id).toBe('job-one')
    grid.send(job('job-one'))
    const settlement = await first!.finish({ kind: 'done', result }, new AbortController().signal)
    grid.send({ type: 'ack', id: 'job-one', den: 1.5 })
    expect(await settlement.laterReward).toBe(1.5)
    grid.send(job('job-one'))
    expect(await nextJob(session)).toBeNull()

    const answers = grid.received.filter((f) => f.type === 'done' || f.type === 'error')
    expect(answers).toEqual([expect.objectContaining({ type: 'done', id: 'job-one' })])
    expect(warnings).toEqual([expect.stringContaining('job-one was sent again'), expect.stringContaining('job-one was sent again')])
    session.release()
  })

  it('records no reward of 1e308 or below zero: an impossible den counts as 0', async () => {
    grid = await scriptedGrid()
    const transport = aipgTransport(config(grid.url), { clock: new FakeClock() })
    const session = await transport.open(0, new AbortController().signal)
    const rewards: Array<number | null | undefined> = []
    for (const [id, den] of [
      ['huge', 1e308],
      ['negative', -5],
    ] as const) {
      grid.send(job(id))
      const running = await nextJob(session)
      const settlement = await running!.finish({ kind: 'done', result }, new AbortController().signal)
      grid.send({ type: 'ack', id, den })
      rewards.push(await settlement.laterReward)
    }
    expect(rewards).toEqual([0, 0])
    session.release()
  })
})

describe('the worker CLI report', () => {
  const record = (jobId: string, reward: number | null) => ({
    network: 'aipg' as const,
    jobId,
    model: 'grid/stories260K',
    state: 'ok' as const,
    error: null,
    reward,
    startedAt: 0,
    finishedAt: 1,
    durationMs: 1000,
    promptTokens: 1,
    completionTokens: 7,
    tokensPerSecond: 7,
  })

  it('counts a job the grid never acknowledged, and prints each retry once', async () => {
    const out: string[] = []
    const err: string[] = []
    const report = createWorkerReport({ out: (line) => out.push(line), err: (line) => err.push(line) })
    report.onEvent({ type: 'state', state: 'backoff', detail: 'The grid is busy. Retrying in 2 s.', problem: 'The grid is busy.' })
    report.warn('The grid is busy.; retrying in 2 s')
    report.onEvent({ type: 'job-finished', record: record('aaaaaaaa-1', null) })
    report.onEvent({ type: 'job-rewarded', record: record('aaaaaaaa-1', 2) })
    report.onEvent({ type: 'job-finished', record: record('bbbbbbbb-2', null) })
    report.onEvent({ type: 'job-unacknowledged', record: record('bbbbbbbb-2', null) })
    expect(err).toEqual(['The grid is busy. Retrying in 2 s.'])
    expect(out).toEqual([
      'aaaaaaaa  grid/stories260K  7 tokens  7.0 tok/s  reward 2.00  ok',
      'bbbbbbbb  grid/stories260K  7 tokens  7.0 tok/s  reward -  ok, no ack from the grid',
    ])
    expect(report.summaryLine()).toBe('Summary: 2 jobs (2 ok, 1 without an ack), 14 tokens, rewards 2.00')
  })
})
