import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getLlama, LlamaCompletion, TokenBias, type Llama, type LlamaContext, type LlamaModel, type Token } from 'node-llama-cpp'
import { LlamaRuntime, type CompletionLoop } from '../../src/main/engine/llamaRuntime.js'
import { leanCompletion } from '../../src/main/engine/leanCompletion.js'
import type { GenerateRequest, GenerateResult } from '../../src/shared/generation.js'
import { scriptedModel } from '../support/gguf/scriptedModels.js'
import { testModel } from '../support/gguf/testModels.js'
import { tinyModel } from '../support/paths.js'

/**
 * The lean completion loop must answer exactly as LlamaCompletion did: every request runs through a
 * runtime on each loop and the results (text, tokens, finish reason, prompt and cache counts, the
 * streamed text) must be equal.
 */
interface Run {
  result: GenerateResult
  streamed: string
}

async function run(runtime: LlamaRuntime, request: GenerateRequest, abortAfter?: number): Promise<Run> {
  const abort = new AbortController()
  let streamed = ''
  const sink = {
    text(text: string, tokens: number) {
      streamed += text
      if (abortAfter !== undefined && tokens >= abortAfter) abort.abort()
    },
    reasoning() {},
    toolCall() {},
    progress() {},
  }
  const result = await runtime.generate(request, sink, abort.signal)
  return { result, streamed }
}

/** What a client or a grid validator sees of a result (timings and draft counts aside). */
function seen({ result, streamed }: Run) {
  return {
    text: result.text,
    streamed,
    finishReason: result.finishReason,
    promptTokens: result.promptTokens,
    completionTokens: result.completionTokens,
    promptTokensEvaluated: result.promptTokensEvaluated,
    reusedTokens: result.reusedTokens,
    contextShifted: result.contextShifted,
  }
}

function pair(promptLookup: boolean): Record<CompletionLoop, LlamaRuntime> & { ready: Promise<void> } {
  const runtimes = {} as Record<CompletionLoop, LlamaRuntime>
  const ready = (async () => {
    for (const loop of ['lean', 'library'] as const) {
      runtimes[loop] = await LlamaRuntime.create(false, promptLookup, loop)
      await runtimes[loop].load(tinyModel, 1, 1, () => {})
    }
  })()
  return Object.assign(runtimes, { ready })
}

describe('lean completions on the story model, against LlamaCompletion', () => {
  const runtimes = pair(false)
  let story = ''

  beforeAll(async () => {
    await runtimes.ready
    story = (await run(runtimes.library, completion('Once upon a time', { maxTokens: 48, temperature: 0 }))).result.text
  })
  afterAll(async () => {
    await runtimes.lean?.unload()
    await runtimes.library?.unload()
  })

  async function same(request: GenerateRequest, abortAfter?: number): Promise<Run> {
    const lean = await run(runtimes.lean, request, abortAfter)
    const library = await run(runtimes.library, request, abortAfter)
    expect(seen(lean)).toEqual(seen(library))
    return lean
  }

  it('greedy, seeded sampling and max tokens', async () => {
    const greedy = await same(completion('Once upon a time', { maxTokens: 40, temperature: 0 }))
    expect(greedy.result.completionTokens).toBeGreaterThan(10)
    await same(completion('Once upon a time', { maxTokens: 40, temperature: 0.9, seed: 7, topK: 30, topP: 0.9, minP: 0.02 }))
    const short = await same(completion('Lily and Tom', { maxTokens: 3, temperature: 0 }))
    expect(short.result.finishReason).toBe('length')
  })

  it('runs on to max tokens with ignore EOS, and to the context with it off', async () => {
    await same(completion('Once upon a time', { maxTokens: 400, temperature: 0.8, seed: 3 }))
    const past = await same(completion('Once upon a time', { maxTokens: 400, temperature: 0.8, seed: 3, ignoreEos: true }))
    expect(past.result.finishReason).toBe('length')
  })

  it('stops at stop strings inside a token and across tokens, dropped or kept', async () => {
    const across = story.slice(12, 19)
    const inside = story.slice(25, 26)
    for (const stop of [[across], [inside], ['\nUser:', across]]) {
      const dropped = await same(completion('Once upon a time', { maxTokens: 48, temperature: 0, stop }))
      expect(dropped.result.finishReason).toBe('stop')
      await same(completion('Once upon a time', { maxTokens: 48, temperature: 0, stop, stopInText: true }))
    }
  })

  it('applies a repeat penalty over the same window', async () => {
    const penalised = await same(
      completion('Once upon a time', { maxTokens: 48, temperature: 0, repeatPenalty: 1.5, repeatPenaltyRange: 16, ignoreEos: true }),
    )
    expect(penalised.result.text).not.toBe(story)
  })

  it('stops where an abort came, after the same token', async () => {
    const aborted = await same(completion('Once upon a time', { maxTokens: 48, temperature: 0 }), 6)
    expect(aborted.result.finishReason).toBe('abort')
    expect(aborted.result.completionTokens).toBeLessThan(20)
  })

  it('cuts a long prompt the same way and keeps a conversation prefix cached', async () => {
    const long = `${story} ${story} ${story} ${story}`.repeat(3)
    const cut = await same(completion(long, { maxTokens: 16, temperature: 0 }, 60))
    expect(cut.result.contextShifted).toBe(true)
    const turns = [{ role: 'user' as const, content: 'Once upon a time there was a cat.' }]
    const first = await same({ kind: 'chat', conversationId: 'c1', turns, params: { maxTokens: 12, temperature: 0 } })
    const next = [...turns, { role: 'assistant' as const, content: first.result.text }, { role: 'user' as const, content: 'And then?' }]
    const second = await same({ kind: 'chat', conversationId: 'c1', turns: next, params: { maxTokens: 12, temperature: 0 } })
    expect(second.result.reusedTokens).toBeGreaterThan(0)
  })

  it('refuses a prompt too long for the context in the same sentence', async () => {
    const huge = 'Once upon a time there was a cat. '.repeat(400)
    const request: GenerateRequest = { kind: 'chat', turns: [{ role: 'user', content: huge }], params: { maxTokens: 8, temperature: 0 } }
    const lean = await runtimes.lean.generate(request, silent, new AbortController().signal).catch((error: Error) => error.message)
    const library = await runtimes.library.generate(request, silent, new AbortController().signal).catch((error: Error) => error.message)
    expect(lean).toMatch(/^The request needs about \d+ tokens of context; the loaded model holds \d+\.$/)
    expect(lean).toBe(library)
  })
})

describe('lean completions with prompt lookup attached', () => {
  const runtimes = pair(true)

  beforeAll(() => runtimes.ready)
  afterAll(async () => {
    await runtimes.lean?.unload()
    await runtimes.library?.unload()
  })

  it('draft from an echoed prompt and answer as LlamaCompletion does', async () => {
    const seed = await run(runtimes.library, completion('Once upon a time', { maxTokens: 60, temperature: 0 }))
    const echo = `Once upon a time${seed.result.text}\nOnce upon a time`
    const request = completion(echo, { maxTokens: 60, temperature: 0, ignoreEos: true })
    const lean = await run(runtimes.lean, request)
    const library = await run(runtimes.library, request)
    expect(seen(lean)).toEqual(seen(library))
    expect(lean.result.prediction?.accepted ?? 0).toBeGreaterThan(0)
  })
})

/**
 * Token for token on a byte-level tokenizer (Qwen3's, random weights): sampling biased towards pieces of
 * UTF-8 characters writes characters split over tokens and broken ones, which both loops must hold back
 * and release alike (the repeat penalty only sees released tokens), and a small context makes both shift
 * it the same way. The scripted model ends with its end-of-generation token.
 */
describe('lean completions token for token on a real tokenizer', () => {
  let llama: Llama
  const loaded: LlamaModel[] = []
  const contexts: LlamaContext[] = []

  beforeAll(async () => {
    llama = await getLlama({ gpu: false, build: 'never' })
  })
  afterAll(async () => {
    for (const context of contexts) await context.dispose()
    for (const model of loaded) await model.dispose()
  })

  async function open(path: string): Promise<LlamaContext> {
    const model = await llama.loadModel({ modelPath: path })
    loaded.push(model)
    const context = await model.createContext({ contextSize: 96, threads: 1 })
    contexts.push(context)
    return context
  }

  interface Output {
    chunks: Token[][]
    text: string
    stopReason: string
  }

  type Options = {
    maxTokens: number
    temperature: number
    seed: number
    tokenBias?: TokenBias
    repeatPenalty: false | { penalty: number; lastTokens: number }
  }

  async function viaLibrary(context: LlamaContext, prompt: Token[], options: Options): Promise<Output> {
    const sequence = context.getSequence()
    const completion = new LlamaCompletion({ contextSequence: sequence })
    const chunks: Token[][] = []
    let text = ''
    try {
      const response = await completion.generateCompletionWithMeta(prompt, {
        ...options,
        contextShiftSize: 10,
        onToken: (tokens) => chunks.push(tokens),
        onTextChunk: (chunk) => (text += chunk),
      })
      return { chunks, text, stopReason: response.metadata.stopReason }
    } finally {
      completion.dispose()
      sequence.dispose()
    }
  }

  async function viaLean(context: LlamaContext, prompt: Token[], options: Options): Promise<Output> {
    const sequence = context.getSequence()
    const chunks: Token[][] = []
    let text = ''
    try {
      const { stopReason } = await leanCompletion(sequence, prompt, {
        ...options,
        signal: new AbortController().signal,
        contextShiftSize: 10,
        onToken: (tokens) => chunks.push([...tokens]),
        onText: (chunk) => (text += chunk),
      })
      return { chunks, text, stopReason }
    } finally {
      sequence.dispose()
    }
  }

  it('holds and releases partial characters alike, and shifts the context alike', async () => {
    const context = await open(testModel('qwen3'))
    const { model } = context
    const pieces = new TokenBias(model.tokenizer)
    for (const token of model.iterateAllTokens()) if (model.detokenize([token]).endsWith('\uFFFD')) pieces.set(token, 0.5)
    const prompt = model.tokenize('Grüße aus Köln, 東京 und 🙂: ')
    let split = 0
    for (const seed of [1]) {
      for (const temperature of [1.5, 3]) {
        const options: Options = { maxTokens: 110, temperature, seed, tokenBias: pieces, repeatPenalty: { penalty: 1.5, lastTokens: 32 } }
        const library = await viaLibrary(context, prompt, options)
        const lean = await viaLean(context, prompt, options)
        expect(lean).toEqual(library)
        split += library.chunks.filter((chunk) => chunk.length > 1).length
        // Max tokens reached on the first piece of a character: LlamaCompletion goes on one token more.
        const at = library.chunks.findIndex((chunk) => chunk.length > 1)
        if (at < 0) continue
        const onPiece = { ...options, maxTokens: library.chunks.slice(0, at).flat().length + 1 }
        expect(await viaLean(context, prompt, onPiece)).toEqual(await viaLibrary(context, prompt, onPiece))
      }
    }
    // The comparison covered characters split over tokens.
    expect(split).toBeGreaterThan(0)
  })

  it('ends at the end-of-generation token alike', async () => {
    const context = await open(scriptedModel('thinker'))
    const prompt = context.model.tokenize('Question\n')
    const options: Options = { maxTokens: 60, temperature: 0, seed: 1, repeatPenalty: false }
    const library = await viaLibrary(context, prompt, options)
    const lean = await viaLean(context, prompt, options)
    expect(lean).toEqual(library)
    expect(lean.stopReason).toBe('eogToken')
    expect(lean.text).toContain('The answer is 42!')
  })
})

const silent = { text() {}, reasoning() {}, toolCall() {}, progress() {} }

function completion(prompt: string, params: GenerateRequest['params'], maxPromptTokens?: number): GenerateRequest {
  return { kind: 'completion', prompt, params, ...(maxPromptTokens !== undefined ? { maxPromptTokens } : {}) }
}
