import { createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { findServers, USUAL_PORTS } from '../../src/worker/bridge/serverFinder.js'
import { json, startScriptedServer, type ScriptedServer } from '../support/scriptedOpenAi.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

async function scripted(routes: ScriptedServer['routes']): Promise<ScriptedServer> {
  const server = await startScriptedServer(routes)
  closers.push(() => server.close())
  return server
}

/** A port that takes the connection and never answers. */
async function silentPort(): Promise<number> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => sockets.add(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(
    () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  )
  return (server.address() as { port: number }).port
}

describe('"Find servers on this PC"', () => {
  it('asks only 127.0.0.1 on the usual ports: Ollama, LM Studio, llama.cpp, KoboldCpp, vLLM, Jan', async () => {
    const asked: string[] = []
    const nothing = (async (url: string | URL | Request) => {
      asked.push(String(url))
      throw new TypeError('fetch failed')
    }) as typeof fetch
    expect(await findServers({ fetch: nothing })).toEqual([])
    const hosts = new Set(asked.map((url) => new URL(url).host))
    expect([...hosts].sort()).toEqual([
      '127.0.0.1:11434',
      '127.0.0.1:1234',
      '127.0.0.1:1337',
      '127.0.0.1:5001',
      '127.0.0.1:8000',
      '127.0.0.1:8080',
    ])
    expect(USUAL_PORTS.map((p) => p.name)).toEqual(['Ollama', 'LM Studio', 'llama.cpp server', 'KoboldCpp', 'vLLM', 'Jan'])
  })

  it('lists what answers with its models, a KoboldAI-only server by its loaded model, and leaves out a port that never answers', async () => {
    const openAi = await scripted({
      '/v1/models': (_q, _b, r) => json(r, 200, { object: 'list', data: [{ id: 'llama3:latest' }, { id: 'qwen3:8b' }] }),
    })
    const kobold = await scripted({ '/api/v1/model': (_q, _b, r) => json(r, 200, { result: 'koboldcpp/tiny' }) })
    const web = await scripted({ '/v1/models': (_q, _b, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>') })
    const silent = await silentPort()
    const found = await findServers({
      // Long enough for a loaded machine's servers to answer; the silent port costs it once.
      timeoutMs: 1000,
      ports: [
        { port: openAi.port, name: 'Ollama' },
        { port: kobold.port, name: 'KoboldCpp' },
        { port: web.port, name: 'vLLM' },
        { port: silent, name: 'Jan' },
      ],
    })
    expect(found).toEqual([
      { name: 'Ollama', kind: 'openai', url: `${openAi.origin}/v1`, models: ['llama3:latest', 'qwen3:8b'], needsKey: false },
      { name: 'KoboldCpp', kind: 'kobold', url: kobold.origin, models: ['koboldcpp/tiny'], needsKey: false },
    ])
  })
})
