import { join } from 'node:path'
import { readGgufFileInfo } from 'node-llama-cpp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineSupervisor } from '../../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import { checkChatTemplate, DEFAULT_TEMPLATE_BUDGET } from '../../src/main/engine/templateBudget.js'
import type { GenerateRequest } from '../../src/shared/generation.js'
import { readGguf } from '../support/gguf/ggufReader.js'
import { writeGguf } from '../support/gguf/ggufWriter.js'
import { engineEntry, requireBuild, tempDataDir, tinyModel } from '../support/paths.js'

const temp = tempDataDir()
let engine: EngineSupervisor

/** The test model's weights and vocabulary with `template` as its tokenizer.chat_template. */
function withTemplate(name: string, template: string): string {
  const source = readGguf(tinyModel)
  const path = join(temp.dir, 'models', name)
  writeGguf(path, {
    ...source,
    metadata: [
      ...source.metadata.filter(([key]) => key !== 'tokenizer.chat_template'),
      ['tokenizer.chat_template', { type: 'string', value: template }],
    ],
  })
  return path
}

const chatML =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
const endlessLoop = '{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}{{ messages[0].content }}'
const memoryBomb = '{% set all = range(1000000000) %}{{ all | length }}{{ messages[0].content }}'
const chat: Extract<GenerateRequest, { kind: 'chat' }> = {
  kind: 'chat',
  turns: [{ role: 'user', content: 'Once upon a time' }],
  params: { maxTokens: 12, temperature: 0 },
}

beforeAll(async () => {
  requireBuild()
  // A short budget keeps these tests quick; what a hostile template does is the same at any budget.
  engine = new EngineSupervisor({
    launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off', GRIDFORGE_TEMPLATE_RENDER_MS: '2000' }),
  })
  await engine.start()
})
afterAll(async () => {
  await engine.close()
  temp.cleanup()
})

describe('a hostile chat template in a GGUF', () => {
  it('leaves an ordinary template alone', async () => {
    expect(await checkChatTemplate(await readGgufFileInfo(withTemplate('chatml.gguf', chatML)), 'chatml.gguf')).toEqual({ ok: true })
  })

  it('is checked once per engine process: loading the same model again needs no checker', async () => {
    const again = await readGgufFileInfo(withTemplate('again.gguf', `${chatML}{# checked once #}`))
    const other = await readGgufFileInfo(withTemplate('other.gguf', `${chatML}{# never checked #}`))
    // No time at all to start a checker: only a verdict remembered from an earlier check can say ok.
    const noTime = { ...DEFAULT_TEMPLATE_BUDGET, startMs: 1 }
    expect(await checkChatTemplate(other, 'other.gguf', noTime)).toEqual({ ok: false, why: 'did not finish its check in time' })
    expect(await checkChatTemplate(again, 'again.gguf')).toEqual({ ok: true })
    expect(await checkChatTemplate(again, 'again.gguf', noTime)).toEqual({ ok: true })
    // Running out of time said nothing about the template: the next check runs the checker again.
    expect(await checkChatTemplate(other, 'other.gguf')).toEqual({ ok: true })
  })

  it.each([
    ['a nested loop', 'loop.gguf', endlessLoop],
    ['range(10**9)', 'bomb.gguf', memoryBomb],
  ])('with %s loads with the family chat format: chat, Stop and Unload work and the engine never dies', async (_name, file, template) => {
    await engine.load(withTemplate(file, template))
    expect(engine.snapshot()).toMatchObject({ state: 'ready', model: { fileName: file, hasChatTemplate: true } })
    expect((await engine.generate(chat)).completionTokens).toBeGreaterThan(0)
    const stop = new AbortController()
    const stopped = engine.generate(
      { ...chat, params: { maxTokens: 100_000, ignoreEos: true } },
      { signal: stop.signal, onText: () => stop.abort() },
    )
    expect((await stopped).finishReason).toBe('abort')
    await engine.unload()
    expect(engine.snapshot()).toMatchObject({ state: 'idle', model: null, restarts: 0 })
  })
})
