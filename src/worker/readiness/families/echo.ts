import { scoreExactToken } from '../answerText.js'
import { userProbe, type Canary } from '../canary.js'
import type { Random } from '../seededRandom.js'

/** echo: repeat a 16-hex token exactly. */
export function echoCanary(random: Random): Canary {
  const token = random.hex(16)
  return {
    family: 'echo',
    body: userProbe(`Reply with exactly this token and nothing else: ${token}`),
    score: ([answer]) => scoreExactToken(answer!, token),
  }
}
