/** The `data:` payloads of a server-sent event stream, one per event. */
export async function* serverSentData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder()
  let buffer = ''
  let pending = ''
  for await (const chunk of body) {
    const text = pending + decoder.decode(chunk, { stream: true })
    // A \r at the end of a chunk may be the first half of \r\n: keep it until the next chunk arrives.
    pending = text.endsWith('\r') ? '\r' : ''
    buffer += text.slice(0, text.length - pending.length).replace(/\r\n?/g, '\n')
    let end: number
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n')
      if (data) yield data
    }
  }
}
