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
  /** Repeat or cut the tokenized prompt to this length for the prompt timing (llama-bench -p). */
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

async function timePrompt(sequence: LlamaContextSequence, prompt: Token[]): Promise<number> {
  await sequence.clearHistory()
  const tokens = sequence.evaluate(prompt, { temperature: 0 })
  const start = performance.now()
  // The first yield comes right after the prompt batch is decoded (plus one sampling step).
  await tokens.next()
  const seconds = (performance.now() - start) / 1000
  await tokens.return()
  return prompt.length / seconds
}

async function timeGeneration(sequence: LlamaContextSequence, prompt: Token[], genTokens: number): Promise<number> {
  await sequence.clearHistory()
  // yieldEogToken keeps the generator going past EOS, so every run decodes the same number of
  // tokens whatever the model predicts.
  const tokens = sequence.evaluate(prompt, { temperature: 0, yieldEogToken: true })
  await tokens.next()
  const start = performance.now()
  for (let i = 0; i < genTokens; i++) {
    if ((await tokens.next()).done) throw new Error(`generation stopped after ${i} tokens`)
  }
  const seconds = (performance.now() - start) / 1000
  await tokens.return()
  return genTokens / seconds
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
    const genPrompt = bos === null ? text : [bos, ...text]
    const ppPrompt = fitPrompt(genPrompt, opts.promptTokens)
    const context = await model.createContext({
      contextSize: Math.max(512, ppPrompt.length + 1, genPrompt.length + opts.tokens + 1),
      threads: opts.threads,
    })
    const sequence = context.getSequence()
    // Like llama-bench, one untimed pass first so page faults and buffer setup are not timed.
    await timePrompt(sequence, ppPrompt)
    await timeGeneration(sequence, genPrompt, Math.min(4, opts.tokens))
    const promptTps: number[] = []
    const genTps: number[] = []
    for (let i = 0; i < opts.runs; i++) {
      // Prompt and generation are timed from an empty context each, like llama-bench's pp and tg
      // tests, so generation speed does not depend on the --prompt-tokens length.
      promptTps.push(await timePrompt(sequence, ppPrompt))
      genTps.push(await timeGeneration(sequence, genPrompt, opts.tokens))
    }
    return {
      threads: context.currentThreads,
      promptTokens: ppPrompt.length,
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
