import { stripThink, stripWrappingQuotes } from '../answerText.js'
import { fail, pass, userProbe, type Canary } from '../canary.js'
import type { Random } from '../seededRandom.js'

/** stop.sequence: the model is asked to write past a stop marker (sent as a string); only the part before it may come back. */
export function stopSequenceCanary(random: Random): Canary {
  const before = random.hex(12)
  const marker = `<STOP_${random.hex(10)}>`
  const after = random.hex(12)
  return {
    family: 'stop.sequence',
    body: userProbe(`Output exactly this text and nothing else: ${before}${marker}${after}`, { stop: marker }),
    score: ([answer]) => {
      const text = stripWrappingQuotes(stripThink(answer!.content))
      if (text.includes(marker) || text.includes('<STOP_')) return fail('the stop marker was emitted')
      if (!text) return fail('the answer is empty')
      if (text.includes(after)) return fail('the text went on past the stop marker')
      return text === before ? pass : fail('the text before the stop marker is not the one asked for')
    },
  }
}
