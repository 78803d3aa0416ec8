import { randomBytes } from 'node:crypto'

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

/**
 * Ids for one import's messages: UUIDv7 (RFC 9562), the import's time and random bits, then a counter in
 * the last 48 bits (its method 1): the id of the import's `index`-th message, so each sorts after the one
 * before. Random ids land all over the messages' id and parent indexes, and every slice of an import then
 * rewrites most of their pages (the bench measured a third of the speed). Made from the index, an id need
 * not be kept for its children to find: kept, 100,000 of them outlived the young heap, and each of its
 * collections, which pause the event loop, had them to copy.
 */
export function orderedIds(now = Date.now()): (index: number) => string {
  const random = randomBytes(8)
  const time = now.toString(16).padStart(12, '0').slice(-12)
  const version = `7${hex(random.subarray(0, 2)).slice(1)}`
  const variant = `${(((random[2] ?? 0) & 0x3f) | 0x80).toString(16)}${hex(random.subarray(3, 4))}`
  const head = `${time.slice(0, 8)}-${time.slice(8)}-${version}-${variant}-`
  // Starts low in its 48 bits so no import can run out of counter.
  const counter = random.readUIntBE(4, 4)
  return (index) => head + (counter + index).toString(16).padStart(12, '0')
}
