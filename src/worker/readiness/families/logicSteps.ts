import { scoreInteger } from '../answerText.js'
import { userProbe, type Canary } from '../canary.js'
import type { Random } from '../seededRandom.js'

const OPERATIONS = [
  { words: (n: number) => `add ${n}`, apply: (value: number, n: number) => value + n },
  { words: (n: number) => `subtract ${n}`, apply: (value: number, n: number) => value - n },
  { words: (n: number) => `multiply by ${n}`, apply: (value: number, n: number) => value * n },
] as const

/** logic.steps: start with N and apply four operations in order. */
export function logicStepsCanary(random: Random): Canary {
  const start = random.int(2, 30)
  const steps = Array.from({ length: 4 }, () => {
    const operation = random.pick(OPERATIONS)
    return { operation, operand: operation === OPERATIONS[2] ? random.int(2, 5) : random.int(1, 20) }
  })
  const expected = steps.reduce((value, step) => step.operation.apply(value, step.operand), start)
  const words = steps.map((step, index) => `${index + 1}. ${step.operation.words(step.operand)}`).join('\n')
  return {
    family: 'logic.steps',
    body: userProbe(`Start with ${start}. Apply these operations in order:\n${words}\nWhat is the result? Reply with only the number.`),
    score: ([answer]) => scoreInteger(answer!, expected),
  }
}
