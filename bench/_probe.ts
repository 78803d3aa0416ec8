import { getLlama, LlamaCompletion, TokenBias, type LlamaContextSequence } from 'node-llama-cpp'
import { PromptLookup } from '../src/main/engine/promptLookup.js'
const model_path = process.argv[2]!
const N = 48
const llama = await getLlama({ gpu: false, maxThreads: 2, build: 'never' })
const model = await llama.loadModel({ modelPath: model_path })
const bias = new TokenBias(model.tokenizer)
for (const t of [model.tokens.eos, model.tokens.eot]) if (t !== null) bias.set(t, 'never')
async function bare(seq: LlamaContextSequence) {
  await seq.clearHistory()
  const prompt = [model.tokens.bos!, ...model.tokenize('Once upon a time')]
  const it = seq.evaluate(prompt, { temperature: 0, yieldEogToken: true, tokenBias: bias })
  await it.next()
  const t0 = performance.now()
  for (let i = 0; i < N; i++) await it.next()
  const s = (performance.now() - t0) / 1000
  await it.return()
  return N / s
}
async function completion(seq: LlamaContextSequence) {
  await seq.clearHistory()
  const c = new LlamaCompletion({ contextSequence: seq })
  let first = 0, n = 0
  await c.generateCompletion('Once upon a time', { maxTokens: N + 1, temperature: 0, tokenBias: bias, onToken: (t) => { n += t.length; if (n === 1) first = performance.now() } })
  const s = (performance.now() - first) / 1000
  c.dispose({ disposeSequence: false })
  return (n - 1) / s
}
for (const ctx of [4096, 640]) {
  const context = await model.createContext({ contextSize: ctx, threads: 2, sequences: 1 })
  const plain = context.getSequence()
  const r: Record<string, number[]> = { bare: [], completion: [] }
  for (let round = 0; round < 3; round++) {
    r.bare!.push(await bare(plain)); r.completion!.push(await completion(plain))
  }
  plain.dispose()
  const predicted = context.getSequence({ tokenPredictor: new PromptLookup() })
  r.bareLookup = []; r.completionLookup = []
  for (let round = 0; round < 3; round++) {
    r.bareLookup!.push(await bare(predicted)); r.completionLookup!.push(await completion(predicted))
  }
  console.log(ctx, JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.map((x) => x.toFixed(1))]))))
  await context.dispose()
}
