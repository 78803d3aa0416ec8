import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { getLlama, type LlamaContextSequence, type Token } from 'node-llama-cpp'

export type BareGenerateOptions = {
  model: string
  threads: number
  /** Generated tokens timed per run. */
  tokens: number
  prompt: string
  /** Repeat or cut the tokenized prompt to exactly this length (to match llama-bench's -p). */
  promptTokens?: number
  runs: number
}

export type BareGenerateResult = {
  threads: number
  promptTokens: number
  genTokens: number
  promptTps: number[]
  genTps: number[]
  rssMb: number
}

function fitPrompt(tokens: Token[], length: number | undefined): Token[] {
  if (length === undefined || tokens.length === 0) return tokens
  return Array.from({ length }, (_, i) => tokens[i % tokens.length] as Token)
}

async function timeRun(
  sequence: LlamaContextSequence,
  prompt: Token[],
  genTokens: number,
): Promise<{ promptTps: number; genTps: number }> {
  await sequence.clearHistory()
  // yieldEogToken keeps the generator going past EOS, so every run decodes the same number of
  // tokens whatever the model predicts.
  const tokens = sequence.evaluate(prompt, { temperature: 0, yieldEogToken: true })
  const start = performance.now()
  await tokens.next()
  const firstAt = performance.now()
  for (let i = 0; i < genTokens; i++) {
    if ((await tokens.next()).done) throw new Error(`generation stopped after ${i} tokens`)
  }
  const end = performance.now()
  await tokens.return()
  return {
    promptTps: prompt.length / ((firstAt - start) / 1000),
    genTps: genTokens / ((end - firstAt) / 1000),
  }
}

export async function bareGenerate(opts: BareGenerateOptions): Promise<BareGenerateResult> {
  const llama = await getLlama({
    gpu: false,
    maxThreads: opts.threads,
    // stdout carries the JSON result only.
    logger: (level, message) => process.stderr.write(`[${level}] ${message}\n`),
  })
  try {
    const model = await llama.loadModel({ modelPath: opts.model })
    const bos = model.tokens.bos
    const text = model.tokenize(opts.prompt)
    const prompt = fitPrompt(bos === null ? text : [bos, ...text], opts.promptTokens)
    const context = await model.createContext({
      contextSize: Math.max(512, prompt.length + opts.tokens + 1),
      threads: opts.threads,
    })
    const sequence = context.getSequence()
    // Like llama-bench, one untimed pass first so page faults and buffer setup are not timed.
    await timeRun(sequence, prompt, Math.min(4, opts.tokens))
    const promptTps: number[] = []
    const genTps: number[] = []
    for (let i = 0; i < opts.runs; i++) {
      const r = await timeRun(sequence, prompt, opts.tokens)
      promptTps.push(r.promptTps)
      genTps.push(r.genTps)
    }
    return {
      threads: context.currentThreads,
      promptTokens: prompt.length,
      genTokens: opts.tokens,
      promptTps,
      genTps,
      // ru_maxrss is in KiB on Linux and macOS (Node normalizes it).
      rssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }
  } finally {
    await llama.dispose()
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      threads: { type: 'string', default: '1' },
      tokens: { type: 'string', default: '128' },
      prompt: { type: 'string', default: 'Once upon a time' },
      'prompt-tokens': { type: 'string' },
      runs: { type: 'string', default: '3' },
    },
  })
  if (!values.model) throw new Error('--model PATH is required')
  const promptTokens = values['prompt-tokens']
  const result = await bareGenerate({
    model: values.model,
    threads: Number(values.threads),
    tokens: Number(values.tokens),
    prompt: values.prompt,
    promptTokens: promptTokens === undefined ? undefined : Number(promptTokens),
    runs: Number(values.runs),
  })
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

// Run as a script only when this module is the entry point itself, not when a bundle that
// imports bareGenerate happens to be the entry.
const self = fileURLToPath(import.meta.url)
if (/^bareLoop\.[cm]?[jt]s$/.test(path.basename(self)) && process.argv[1] === self) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exit(1)
  })
}
