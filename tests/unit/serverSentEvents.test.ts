import { describe, expect, it } from 'vitest'
import { serverSentData } from '../../src/main/chat/grid/aipgChat.js'

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk))
      controller.close()
    },
  })
}

async function collect(chunks: string[]): Promise<string[]> {
  const events: string[] = []
  for await (const data of serverSentData(streamOf(chunks))) events.push(data)
  return events
}

describe('reading a grid chat stream (server-sent events)', () => {
  it('keeps every token when a \\r\\n line break is split across two chunks', async () => {
    expect(await collect(['data: {"a":1}\r', '\n\r\ndata: {"b":2}\r\n\r\n'])).toEqual(['{"a":1}', '{"b":2}'])
    expect(await collect(['data: one\r', '\ndata: two\r\n', '\r\n'])).toEqual(['one\ntwo'])
  })

  it('accepts \\n, \\r\\n and bare \\r line endings', async () => {
    expect(await collect(['data: x\n\ndata: y\r\rdata: z\r\n\r\n'])).toEqual(['x', 'y', 'z'])
  })
})
