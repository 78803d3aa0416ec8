import { LlamaRuntime } from './src/main/engine/llamaRuntime.js'
const rt = await LlamaRuntime.create(false)
await rt.load('tests/fixtures/models/stories260K.gguf', 1, 2, () => undefined)
const sink = { text: (t: string) => process.stdout.write(`[T:${JSON.stringify(t)}]`), reasoning: (t: string) => process.stdout.write(`[R:${t}]`), toolCall: (d: unknown) => process.stdout.write(`[C:${JSON.stringify(d)}]`), progress: () => undefined }
const sig = new AbortController().signal
const run = async (label: string, req: any) => { const t0 = performance.now(); try { const r = await rt.generate(req, sink, sig); console.log('\n', label, Math.round(performance.now() - t0), JSON.stringify({ ...r, text: r.text.slice(0, 200) })) } catch (e) { console.log('\n', label, 'ERR', (e as Error).message) } }
const user = [{ role: 'user', content: 'Once upon a time' }]
await run('plain', { kind: 'chat', turns: user, params: { maxTokens: 40, temperature: 0 } })
await run('stop the', { kind: 'chat', turns: user, params: { maxTokens: 200, temperature: 0, stop: [' the'] } })
await run('stop the horde', { kind: 'completion', prompt: 'Once upon a time', params: { maxTokens: 200, temperature: 0, stop: [' the'], stopInText: true } })
const tools = [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city', 'days'], additionalProperties: false } }, { name: 'noop' }]
await run('named', { kind: 'chat', turns: user, params: { maxTokens: 100, temperature: 0 }, tools, toolChoice: { name: 'get_weather' } })
await run('required', { kind: 'chat', turns: user, params: { maxTokens: 100, temperature: 0 }, tools, toolChoice: 'required' })
await run('auto', { kind: 'chat', turns: user, params: { maxTokens: 30, temperature: 0 }, tools, toolChoice: 'auto' })
await run('schema', { kind: 'chat', turns: user, params: { maxTokens: 100, temperature: 0 }, responseFormat: { type: 'json_schema', schema: { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'string' }, c: { type: 'boolean' } }, required: ['a', 'b', 'c'], additionalProperties: false } } })
await run('json_object', { kind: 'chat', turns: user, params: { maxTokens: 60, temperature: 0 }, responseFormat: { type: 'json_object' } })
await run('roundtrip', { kind: 'chat', turns: [...user, { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris","days":1}' }] }, { role: 'tool', toolCallId: 'call_1', content: '{"temp":20}' }], params: { maxTokens: 30, temperature: 0 }, tools, toolChoice: 'auto' })
await run('badchoice', { kind: 'chat', turns: user, params: { maxTokens: 30 }, tools, toolChoice: { name: 'nope' } })
await run('toobig', { kind: 'chat', turns: [{ role: 'user', content: 'a b '.repeat(5000) }], params: { maxTokens: 30 } })
process.exit(0)
