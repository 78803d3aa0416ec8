import { scoreInteger } from '../answerText.js'
import { userProbe, type Canary } from '../canary.js'
import type { Random } from '../seededRandom.js'

/** math.add: the sum of two integers, as one number. */
export function mathAddCanary(random: Random): Canary {
  const a = random.int(100, 9999)
  const b = random.int(100, 9999)
  return {
    family: 'math.add',
    body: userProbe(`What is ${a} + ${b}? Reply with only the number.`),
    score: ([answer]) => scoreInteger(answer!, a + b),
  }
}

/** math.mul: the product of two integers, as one number. */
export function mathMulCanary(random: Random): Canary {
  const a = random.int(12, 99)
  const b = random.int(12, 99)
  return {
    family: 'math.mul',
    body: userProbe(`What is ${a} * ${b}? Reply with only the number.`),
    score: ([answer]) => scoreInteger(answer!, a * b),
  }
}
