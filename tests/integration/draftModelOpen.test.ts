import {
  getLlama,
  LlamaCompletion,
  LlamaLogLevel,
  readGgufFileInfo,
  TokenPredictor,
  type GgufFileInfo,
  type Llama,
  type Token,
} from 'node-llama-cpp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DraftModel } from '../../src/main/engine/draftModel.js'
import { tokenizerMismatch } from '../../src/main/engine/tokenizerMatch.js'
import { tinyModel } from '../support/paths.js'

let llama: Llama
let story: GgufFileInfo

beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, maxThreads: 1 })
  story = await readGgufFileInfo(tinyModel)
})

type Writable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] }

/** The story model's header with its tokenizer changed by `change`. */
function withTokenizer(change: (tokenizer: Writable<GgufFileInfo['metadata']['tokenizer']['ggml']>) => void): GgufFileInfo {
  const copy = structuredClone(story)
  change(copy.metadata.tokenizer.ggml as Writable<GgufFileInfo['metadata']['tokenizer']['ggml']>)
  return copy
}

describe('the same tokenizer, from the GGUF headers', () => {
  it('accepts the same file and names what differs otherwise', () => {
    expect(tokenizerMismatch(story, story)).toBeNull()
    const renamed = withTokenizer((t) => (t.tokens[300] = 'zz'))
    expect(tokenizerMismatch(story, renamed)).toBe(
      `token 300 is ${JSON.stringify(story.metadata.tokenizer.ggml.tokens[300])} in one and "zz" in the other`,
    )
    expect(
      tokenizerMismatch(
        story,
        withTokenizer((t) => t.tokens.push('extra')),
      ),
    ).toBe('vocabularies of 512 and 513 tokens')
    expect(
      tokenizerMismatch(
        story,
        withTokenizer((t) => (t.eos_token_id = 3)),
      ),
    ).toBe('different end tokens')
    expect(
      tokenizerMismatch(
        story,
        withTokenizer((t) => (t.bos_token_id = 3)),
      ),
    ).toBe('different beginning tokens')
  })
})

describe('opening a draft model', () => {
  const target = () => ({ fileName: 'target.gguf', fileInfo: story, contextSize: 256, gpuLayers: 0, threads: 1 })

  it('is left out, in one sentence, when memory is short', async () => {
    const opened = await DraftModel.open(llama, tinyModel, target(), () => 2 * 1024 ** 2)
    expect(opened.draft).toBeNull()
    expect(opened.refused).toMatch(
      /^stories260K\.gguf cannot draft for target\.gguf: it needs about \d+ MiB and only 2 MiB of memory is free, so chat runs without it\.$/,
    )
  })

  it('is refused, in one sentence, when the file is not a model', async () => {
    const opened = await DraftModel.open(llama, `${tinyModel}.missing`, target())
    expect(opened.refused).toBe('stories260K.gguf.missing cannot draft for target.gguf: it is not a readable GGUF model file.')
  })

  it('lends its predictor to one generation at a time', async () => {
    const opened = await DraftModel.open(llama, tinyModel, target())
    const draft = opened.draft!
    try {
      const first = draft.take()
      expect(first).not.toBeNull()
      expect(draft.take()).toBeNull()
      first!.release()
      expect(draft.take()).not.toBeNull()
    } finally {
      await draft.dispose()
    }
  })
})

/**
 * Drafts the tokens a greedy run already wrote, `width` at a time: every draft is right. node-llama-cpp
 * 3.22.1 accepts only the first of each batch (`_speculativeEvaluate` never fills `validatedTokens`), which
 * is why PromptLookup drafts one token per step. When this test fails, upstream fixed it: lift the limit.
 */
class Oracle extends TokenPredictor {
  private at = 0
  constructor(
    private readonly tokens: Token[],
    private readonly width: number,
  ) {
    super()
  }
  reset(): void {
    this.at = 0
  }
  pushTokens(tokens: Token[]): void {
    this.at += tokens.length
  }
  predictTokens(): Token[] {
    return this.tokens.slice(this.at, this.at + this.width)
  }
}

describe('node-llama-cpp verifying a batch of drafts', () => {
  let model: Awaited<ReturnType<Llama['loadModel']>>
  beforeAll(async () => {
    model = await llama.loadModel({ modelPath: tinyModel })
  })
  afterAll(async () => {
    await model?.dispose()
  })

  async function generate(predictor?: TokenPredictor) {
    const context = await model.createContext({ contextSize: 256, threads: 1 })
    try {
      const sequence = context.getSequence(predictor ? { tokenPredictor: predictor } : {})
      const tokens: Token[] = []
      const completion = new LlamaCompletion({ contextSequence: sequence })
      await completion.generateCompletion('Once upon a time', { maxTokens: 24, temperature: 0, onToken: (chunk) => tokens.push(...chunk) })
      return { tokens, predictions: { ...sequence.tokenPredictions } }
    } finally {
      await context.dispose()
    }
  }

  it('accepts only the first of four right drafts', async () => {
    const plain = await generate()
    const drafted = await generate(new Oracle(plain.tokens, 4))
    expect(drafted.tokens).toEqual(plain.tokens)
    expect(drafted.predictions.validated).toBeGreaterThan(0)
    // Every draft was the token the model then wrote, yet three of each four were counted refuted.
    expect(drafted.predictions.refuted).toBeGreaterThanOrEqual(2 * drafted.predictions.validated)
  })
})
