import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../support/freePort.js'
import { hostAnswers } from '../../src/main/models/hostProbe.js'
import { isUnreachable, networkSentence } from '../../src/shared/networkWords.js'

const sockets = new Set<Socket>()
let silent: Server
let cutting: Server
let silentUrl = ''
let cuttingUrl = ''
/** A loopback address nothing listens on (fetch itself refuses well-known ports such as 9). */
let closedUrl = ''

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/model.gguf`
}

beforeAll(async () => {
  // Accepts and never answers (a black-holed network looks like this).
  silent = createServer((socket) => sockets.add(socket))
  silentUrl = await listen(silent)
  // Accepts and hangs up at once.
  cutting = createServer((socket) => socket.destroy())
  cuttingUrl = await listen(cutting)
  closedUrl = `http://127.0.0.1:${await freePort()}/x.gguf`
})
afterAll(() => {
  for (const socket of sockets) socket.destroy()
  silent.close()
  cutting.close()
})

/** The error a real request to `url` fails with. */
async function failureOf(url: string, init: RequestInit = {}): Promise<unknown> {
  return fetch(url, init).then(
    () => {
      throw new Error('the request was expected to fail')
    },
    (error: unknown) => error,
  )
}

describe('network failures in plain words', () => {
  it('a refused connection', async () => {
    const error = await failureOf(closedUrl)
    expect(networkSentence(closedUrl, error)).toMatch(
      /^127\.0\.0\.1:\d+ refused the connection; the server is down or the address is wrong\.$/,
    )
    expect(isUnreachable(error)).toBe(true)
  })

  it('a host that never answers', async () => {
    const error = await failureOf(silentUrl, { signal: AbortSignal.timeout(200) })
    expect(networkSentence(silentUrl, error)).toMatch(/^127\.0\.0\.1:\d+ did not answer in time; the network may be down or very slow\.$/)
  })

  it('a connection cut off', async () => {
    const error = await failureOf(cuttingUrl)
    expect(networkSentence(cuttingUrl, error)).toMatch(/^The connection to 127\.0\.0\.1:\d+ was cut off\.$/)
  })

  it('no DNS answer reads as offline, whatever the code inside', () => {
    const error = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND huggingface.co'), { code: 'ENOTFOUND' }),
    })
    expect(networkSentence('https://huggingface.co/x', error)).toBe('Cannot reach huggingface.co: this PC seems to be offline.')
  })
})

describe('asking the model host whether it answers', () => {
  it('gives up on a silent host within its time limit', async () => {
    const started = performance.now()
    expect(await hostAnswers(silentUrl, 300)).toBe(false)
    expect(performance.now() - started).toBeLessThan(5000)
  })

  it('counts a refused port as not answering, and any HTTP answer as answering', async () => {
    expect(await hostAnswers(closedUrl, 1000)).toBe(false)
    const http = (await import('node:http')).createServer((_req, res) => res.writeHead(404).end())
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const port = (http.address() as { port: number }).port
    expect(await hostAnswers(`http://127.0.0.1:${port}/missing.gguf`, 1000)).toBe(true)
    http.close()
  })
})
