import { canonicalJson, stripThink, wholeJsonObject } from '../answerText.js'
import { fail, pass, userProbe, type Canary } from '../canary.js'
import type { Random } from '../seededRandom.js'

/** json.object: one JSON object with three given keys (an integer, a hex string, a boolean), no markdown. */
export function jsonObjectCanary(random: Random): Canary {
  const expected = { id: random.int(1000, 99999), code: random.hex(8), active: random.next() < 0.5 }
  const prompt =
    `Reply with one JSON object and nothing else, no markdown and no code fences. It has exactly these keys: ` +
    `"id" with the integer ${expected.id}, "code" with the string "${expected.code}", and "active" with the boolean ${expected.active}.`
  return {
    family: 'json.object',
    body: userProbe(prompt),
    score: ([answer]) => {
      const text = stripThink(answer!.content)
      if (!text) return fail('the answer is empty')
      const parsed = wholeJsonObject(text)
      if (!parsed) return fail('the whole answer is not one JSON object')
      return canonicalJson(parsed) === canonicalJson(expected) ? pass : fail('the object does not hold the keys and values asked for')
    },
  }
}
