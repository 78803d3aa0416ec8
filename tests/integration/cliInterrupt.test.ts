import type { ServerResponse } from 'node:http'
import { join } from 'node:path'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backendsWorkerArgs, ledgerIn, privateFile, startGridforge } from '../support/cliRun.js'
import { startDevGrid, type DevGrid, type DevGridEvent } from '../support/devGrid/index.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { chunk, healthyRoutes, sse, startScriptedServer, type ScriptedServer } from '../support/scriptedOpenAi.js'

/**
 * Ctrl-C on the commands that wait: SIGINT sent to the gridforge process itself (as a terminal does; not through
 * npm or npx). Each stops cleanly, with exit 0 or 130, and leaves no job on the grid or in the ledger unfinished.
 */
const temp = tempDataDir()
const wallet = privateKeyToAccount(generatePrivateKey())
let grid: DevGrid
let held: ScriptedServer
let other: ScriptedServer
const events: DevGridEvent[] = []
/** Replies the held server has not sent yet: the job stays in flight until the test releases it. */
const waiting: Array<() => void> = []
const HELD = 'held until the test says'

beforeAll(async () => {
  requireBuild()
  grid = await startDevGrid({
    mode: 'aipg',
    workerEnrollment: true,
    keys: { 'dev-key-alice': { user: 'alice#1', scopes: ['worker.connect'], payoutWallet: wallet.address } },
    onEvent: (event) => events.push(event),
  })
  const healthy = healthyRoutes('qwen3-27b')
  held = await startScriptedServer({
    ...healthy,
    // The grid's job (not the worker's probe of the server) waits for the test before its first token.
    '/v1/chat/completions': (request, body, response: ServerResponse) => {
      if (!JSON.stringify(body.messages).includes(HELD)) return healthy['/v1/chat/completions']!(request, body, response)
      waiting.push(() =>
        sse(response, [
          chunk({ content: 'finished after Ctrl-C' }, 'stop'),
          { choices: [], usage: { prompt_tokens: 3, completion_tokens: 4 } },
        ]),
      )
    },
  })
  other = await startScriptedServer(healthyRoutes('llama3', 'from Ollama'))
})
afterAll(async () => {
  for (const release of waiting.splice(0)) release()
  await held?.close()
  await other?.close()
  await grid?.close()
  temp.cleanup()
})

const file = (name: string, text: string) => privateFile(temp.dir, name, text)
const ledger = () => ledgerIn(temp.dir)

describe('Ctrl-C on gridforge worker --backends-file', () => {
  const backends = () =>
    file(
      'backends.json',
      JSON.stringify([
        { backend: 'openai', url: `${held.origin}/v1`, model: 'qwen3-27b' },
        { backend: 'openai', url: `${other.origin}/v1`, model: 'llama3' },
      ]),
    )
  const start = () => startGridforge(temp.dir, backendsWorkerArgs(backends(), grid.url, file('grid-key', 'dev-key-alice'), 'ctrlc'))

  it('finishes the job in flight, submits it, and exits 0', async () => {
    const worker = start()
    const job = grid.enqueueAipg({ model: 'qwen3-27b', request: { messages: [{ role: 'user', content: HELD }], max_tokens: 16 } })
    await grid.waitFor(() => waiting.length === 1, 30_000, 'the job to reach the inference server')
    worker.child.kill('SIGINT')
    await grid.waitFor(() => worker.stderr().includes('Finishing jobs in flight'), 10_000, 'the Ctrl-C notice')
    waiting.shift()!()
    expect(await worker.exited).toBe(0)
    expect(worker.stderr()).not.toMatch(/\n\s+at /)
    expect(grid.aipg.results.get(job)?.text).toBe('finished after Ctrl-C')
    expect(grid.pendingJobs().aipg).toBe(0)
    expect(ledger().find((row) => row.jobId === job)?.state).toBe('ok')
  })

  it('on a second Ctrl-C gives the job back to the grid and records it as stopped, exiting 0', async () => {
    const worker = start()
    const job = grid.enqueueAipg({ model: 'qwen3-27b', request: { messages: [{ role: 'user', content: HELD }], max_tokens: 16 } })
    await grid.waitFor(() => waiting.length === 1, 30_000, 'the job to reach the inference server')
    worker.child.kill('SIGINT')
    await grid.waitFor(() => worker.stderr().includes('Finishing jobs in flight'), 10_000, 'the first Ctrl-C notice')
    worker.child.kill('SIGINT')
    expect(await worker.exited).toBe(0)
    waiting.splice(0)
    expect(worker.stderr()).toContain('Cancelling jobs in flight.')
    expect(worker.stderr()).not.toMatch(/\n\s+at /)
    const row = ledger().find((entry) => entry.jobId === job)
    expect(row).toMatchObject({ state: 'faulted', error: 'The worker was stopped before the job finished.' })
    // Nothing had streamed: the grid puts the job back in its queue for another worker.
    expect(events).toContainEqual(expect.objectContaining({ type: 'requeued', id: job }))
    expect(grid.pendingJobs().aipg).toBe(1)
    expect(grid.aipg.results.get(job)?.text).not.toBe('finished after Ctrl-C')
  })
})

describe('Ctrl-C on gridforge identity enroll', () => {
  const keyFile = () => join(temp.dir, 'enrolled.key')
  const enroll = () =>
    startGridforge(temp.dir, ['identity', 'enroll', '--name', 'ctrlc-rig', '--api-key-file', keyFile(), '--grid-url', grid.url])
  const linkIn = (text: string) => /\/console\/workers\/enroll\/(\S+)/.exec(text)?.[1]

  it('stops waiting for the approval with exit 130, and the same command resumes the same link', async () => {
    const first = enroll()
    await grid.waitFor(() => linkIn(first.stdout()) !== undefined, 15_000, 'the approval link')
    const id = linkIn(first.stdout())!
    first.child.kill('SIGINT')
    expect(await first.exited).toBe(130)
    expect(first.stderr()).not.toMatch(/\n\s+at /)
    expect(first.stdout()).toContain('Stopped waiting for the approval; run the same command to resume this enrollment.')
    expect(grid.aipg.enrollment.records.get(id)?.status).toBe('pending')

    const again = enroll()
    await grid.waitFor(() => linkIn(again.stdout()) !== undefined, 15_000, 'the approval link again')
    expect(linkIn(again.stdout())).toBe(id)
    await grid.approveEnrollment(id, (message) => wallet.signMessage({ message }))
    expect(await again.exited).toBe(0)
    expect(grid.aipg.enrollment.records.get(id)?.status).toBe('activated')
  })
})
