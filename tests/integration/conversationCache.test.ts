import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineSupervisor } from '../../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import type { ChatTurn, GenerateResult } from '../../src/shared/generation.js'
import { engineEntry, requireBuild, tempDataDir } from '../support/paths.js'

const temp = tempDataDir()
let engine: EngineSupervisor
let contextSize = 0

beforeAll(async () => {
  requireBuild()
  engine = new EngineSupervisor({ launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }) })
  await engine.start()
  contextSize = (await engine.load(temp.model)).contextSize
})
afterAll(async () => {
  await engine.close()
  temp.cleanup()
})

const first = 'Once upon a time there was a little girl named Lily. She loved to play in the park with her dog.'
const second = 'One day the dog ran away and Lily was very sad.'

/** One turn: the reply, with the text as it streamed. */
async function reply(turns: ChatTurn[], conversationId?: string, maxTokens = 24): Promise<GenerateResult & { streamed: string }> {
  let streamed = ''
  const result = await engine.generate(
    { kind: 'chat', turns, params: { maxTokens, temperature: 0 }, conversationId },
    { onText: (text) => (streamed += text) },
  )
  return { ...result, streamed }
}

describe('a conversation keeps its cache between turns on the local engine', () => {
  it('evaluates only the new part of the next turn and still replies as a fresh evaluation would', async () => {
    const one = await reply([{ role: 'user', content: first }], 'cache-a')
    expect(one.reusedTokens).toBe(0)
    const turns: ChatTurn[] = [
      { role: 'user', content: first },
      { role: 'assistant', content: one.text },
      { role: 'user', content: second },
    ]
    const two = await reply(turns, 'cache-a')
    const fresh = await reply(turns)

    expect(fresh.promptTokensEvaluated).toBe(fresh.promptTokens)
    expect(two.promptTokens).toBe(fresh.promptTokens)
    // The first turn's prompt is already in the cache; only the reply and the new message are evaluated.
    expect(two.reusedTokens).toBeGreaterThanOrEqual(one.promptTokens - 1)
    expect(two.promptTokensEvaluated).toBeLessThan(fresh.promptTokens - one.promptTokens + 2)
    expect(two.text.length).toBeGreaterThan(0)
    expect(two.streamed).toBe(two.text)
    expect(two.text).toBe(fresh.text)
  })

  it('after an edit it reuses no more than the unchanged start of the conversation', async () => {
    const one = await reply([{ role: 'user', content: first }], 'cache-edit')
    const kept: ChatTurn[] = [
      { role: 'user', content: first },
      { role: 'assistant', content: one.text },
    ]
    await reply([...kept, { role: 'user', content: second }], 'cache-edit')

    const edited: ChatTurn[] = [{ role: 'user', content: 'A big red ball rolled down the hill.' }]
    const branch = await reply(edited, 'cache-edit')
    const fresh = await reply(edited)
    // Only the start-of-text tokens are shared with what the sequence held.
    expect(branch.reusedTokens).toBeLessThanOrEqual(2)
    expect(branch.text).toBe(fresh.text)

    const prefix = await reply(kept)
    const editedLater = await reply([...kept, { role: 'user', content: 'The sun was hot.' }], 'cache-edit')
    expect(editedLater.reusedTokens).toBeLessThan(prefix.promptTokens)
  })

  it('gives a kept sequence to other callers when none is free, and the conversation then starts afresh', async () => {
    await reply([{ role: 'user', content: first }], 'cache-x')
    await reply([{ role: 'user', content: second }], 'cache-y')
    // Both sequences are now kept by conversations; API and grid requests must still run, several at once.
    const story = { kind: 'completion', prompt: 'Once upon a time', params: { maxTokens: 16, temperature: 0 } } as const
    const [a, b] = await Promise.all([engine.generate(story), engine.generate(story)])
    expect(a.text).toBe(b.text)
    expect(a.text.length).toBeGreaterThan(0)

    const again = await reply([{ role: 'user', content: first }], 'cache-x')
    expect(again.reusedTokens).toBe(0)
    expect(again.text).toBe((await reply([{ role: 'user', content: first }])).text)
  })

  it('keeps a long conversation going past the context size, says older turns were left out, and keeps reusing', async () => {
    const turns: ChatTurn[] = []
    const results: GenerateResult[] = []
    const long = `${first} ${second} `.repeat(2)
    // Each turn adds about 120 tokens; stop three turns after the first one that no longer fits.
    const done = () => {
      const shift = results.findIndex((result) => result.contextShifted)
      return shift >= 0 && results.length >= shift + 4
    }
    for (let i = 0; i < 40 && !done(); i++) {
      turns.push({ role: 'user', content: `${long}Then Lily looked in garden number ${i} and found a ball.` })
      const result = await reply(turns, 'cache-long', 16)
      expect(result.text.length).toBeGreaterThan(0)
      expect(result.streamed).toBe(result.text)
      turns.push({ role: 'assistant', content: result.text })
      results.push(result)
    }
    expect(results[0]!.contextShifted).toBe(false)
    const firstShift = results.findIndex((result) => result.contextShifted)
    expect(firstShift).toBeGreaterThan(0)
    expect(results.slice(firstShift).every((result) => result.contextShifted)).toBe(true)
    // Room is left for the reply and the library's own shift is never needed.
    expect(results.every((result) => result.promptTokens + 16 < contextSize)).toBe(true)
    // After the cut, the next turns fit behind the same cut and come from the cache again.
    expect(results[firstShift + 1]!.reusedTokens).toBeGreaterThan(contextSize / 2)
    expect(results[firstShift + 2]!.reusedTokens).toBeGreaterThan(contextSize / 2)
  }, 180_000)
})
