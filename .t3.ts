import { LlamaRuntime } from './src/main/engine/llamaRuntime.js'
const rt = await LlamaRuntime.create(false)
await rt.load('tests/fixtures/models/stories260K.gguf', 1, 2, () => undefined)
const sink = { text: () => undefined, reasoning: () => undefined, toolCall: () => undefined, progress: () => undefined }
const sig = new AbortController().signal
const user = [{ role: 'user', content: 'Once upon a time' }]
const tools = [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city', 'days'], additionalProperties: false } }, { name: 'noop' }]
for (const [label, req] of [
  ['sys600 plain', { kind: 'chat', turns: [{ role: 'system', content: 'the cat sat on a mat. '.repeat(90) }, ...user], params: { maxTokens: 5, temperature: 0 }, tools, toolChoice: 'none' }],
  ['named', { kind: 'chat', turns: user, params: { maxTokens: 100, temperature: 0 }, tools, toolChoice: { name: 'noop' } }],
  ['named again', { kind: 'chat', turns: user, params: { maxTokens: 100, temperature: 0 }, tools, toolChoice: { name: 'noop' } }],
] as const) {
  const t0 = performance.now(); const r = await rt.generate(req as any, sink, sig); console.log(label, Math.round(performance.now() - t0), r.promptTokens, r.firstTokenMs)
}
process.exit(0)
