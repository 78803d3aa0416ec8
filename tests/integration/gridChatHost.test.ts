import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { DEV_KEY, HordeTestWorker } from '../support/gridChatWorkers.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'
import { TestClient } from '../support/wsClient.js'

const MODEL = 'koboldcpp/Llama-3.2-1B-Instruct'
const temp = tempDataDir()
let grid: DevGrid
let serve: ServeProcess
let client: TestClient

beforeAll(async () => {
  requireBuild()
  grid = await startDevGrid({ mode: 'horde' })
  serve = await startServe(temp.dir)
  client = await TestClient.connect(serve.url, serve.token)
  // The key is checked against the configured grid: point at the dev grid first.
  await client.value('earn.configure', {
    network: 'horde',
    gridUrl: grid.url,
    workerName: 'host-rig',
    slots: 1,
    maxLength: 256,
    maxContextLength: 2048,
  })
  await client.value('earn.setApiKey', { network: 'horde', apiKey: DEV_KEY })
})
afterAll(async () => {
  client?.close()
  await serve?.stop()
  await grid?.close()
  temp.cleanup()
})

describe('chat through the AI Horde from the host (no local model loaded)', () => {
  it('asks for the notice, reports the queue, stores the reply, and stop deletes the request', async () => {
    const worker = new HordeTestWorker(grid, MODEL)
    await worker.pop()
    expect(await client.value('chat.gridModels', { network: 'horde' })).toEqual([{ id: MODEL, workers: 1 }])
    const backend = { kind: 'grid', network: 'horde', model: MODEL } as const

    expect(await client.call('chat.send', { conversationId: null, text: 'Hi there', backend })).toMatchObject({
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message: 'Confirm that community workers on the AI Horde may read this conversation before it is sent there.',
      },
    })
    expect(await client.value('chat.list', {})).toEqual([])

    grid.enqueueHorde({ models: [MODEL], payload: { prompt: 'someone else', max_length: 32 } })
    const sent = await client.value('chat.send', { conversationId: null, text: 'Hi there', backend, gridNoticeAccepted: true })
    expect(sent.assistantMessage).toMatchObject({
      state: 'streaming',
      backend: 'horde',
      model: MODEL,
      gridOrigin: new URL(grid.url).origin,
    })
    const queued = await client.waitFor('chat.progress', (p) => p.messageId === sent.assistantMessage.id)
    expect(queued).toMatchObject({ stage: 'queued', queuePosition: 1 })

    const other = await worker.pop()
    await worker.submit(other!.id, 'x')
    const ours = await worker.pop()
    expect(ours!.prompt).toContain('<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>')
    await worker.submit(ours!.id, 'Hello from a community worker!<|eot_id|>')
    const done = await client.waitFor('chat.message', (m) => m.id === sent.assistantMessage.id && m.state !== 'streaming')
    expect(done).toMatchObject({ state: 'complete', content: 'Hello from a community worker!' })
    expect((await client.value('chat.get', { conversationId: sent.conversation.id })).messages.at(-1)?.content).toBe(
      'Hello from a community worker!',
    )

    // The conversation has been to the grid: no second notice needed. Stop while it waits in the queue.
    const second = await client.value('chat.send', { conversationId: sent.conversation.id, text: 'Again?', backend })
    await client.waitFor('chat.progress', (p) => p.messageId === second.assistantMessage.id)
    expect(await client.value('chat.stop', { messageId: second.assistantMessage.id })).toEqual({ stopped: true })
    const stopped = await client.waitFor('chat.message', (m) => m.id === second.assistantMessage.id && m.state !== 'streaming')
    expect(stopped.state).toBe('stopped')
    expect(grid.requests.some((r) => r.method === 'DELETE')).toBe(true)
    expect(await worker.pop()).toBeNull()
    expect(JSON.stringify(client.events)).not.toContain(DEV_KEY)
  })

  it('regenerates and edits a grid conversation through the same grid, without a local model', async () => {
    const worker = new HordeTestWorker(grid, MODEL)
    await worker.pop()
    const backend = { kind: 'grid', network: 'horde', model: MODEL } as const
    const sent = await client.value('chat.send', { conversationId: null, text: 'Tell me a story', backend, gridNoticeAccepted: true })
    const answer = async (text: string) => {
      const job = await until(() => worker.pop())
      await worker.submit(job.id, `${text}<|eot_id|>`)
      return job.prompt
    }
    await answer('First story.')
    await client.waitFor('chat.message', (m) => m.id === sent.assistantMessage.id && m.state === 'complete')

    const regenerated = await client.value('chat.regenerate', { messageId: sent.assistantMessage.id })
    const version = regenerated.messages.at(-1)!
    expect(version).toMatchObject({ state: 'streaming', backend: 'horde', model: MODEL })
    expect(await answer('Second story.')).toContain('Tell me a story')
    expect(await client.waitFor('chat.message', (m) => m.id === version.id && m.state !== 'streaming')).toMatchObject({
      state: 'complete',
      content: 'Second story.',
    })
    expect(regenerated.versions?.[version.id]).toEqual([sent.assistantMessage.id, version.id])

    const edited = await client.value('chat.edit', { messageId: sent.userMessage.id, text: 'Tell me a poem' })
    const reply = edited.messages.at(-1)!
    expect(reply).toMatchObject({ backend: 'horde', model: MODEL })
    const prompt = await answer('A poem.')
    expect(prompt).toContain('Tell me a poem')
    expect(prompt).not.toContain('Tell me a story')
    expect(await client.waitFor('chat.message', (m) => m.id === reply.id && m.state !== 'streaming')).toMatchObject({ state: 'complete' })
  })
})

/** Polls until `get` gives a value (a job reaches the grid's queue a moment after the call returns). */
async function until<T>(get: () => Promise<T | null>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await get()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('nothing arrived within 5 seconds')
}
