import { stripThink } from '../answerText.js'
import { fail, pass, userProbe, type Canary } from '../canary.js'
import { callPythonFunction } from '../python/pyEvaluator.js'
import { parsePythonFunction } from '../python/pyParser.js'
import { PySubsetError } from '../python/pyTokenizer.js'
import type { Random } from '../seededRandom.js'

/** The longest code answer the scorer reads (the validators' bound). */
const MAX_CODE_BYTES = 4096
const HIDDEN_INPUTS = 7

const floorDiv = (a: number, b: number) => Math.floor(a / b)
const mod = (a: number, b: number) => a - b * floorDiv(a, b)

/** What the function must do, in words and as the reference the answer is checked against. */
const SPECS = [
  (random: Random) => {
    const a = random.int(2, 9)
    const b = random.int(1, 30)
    return { words: `x multiplied by ${a}, plus ${b}`, reference: (x: number) => a * x + b }
  },
  (random: Random) => {
    const a = random.int(1, 40)
    return { words: `the square of x, minus ${a}`, reference: (x: number) => x * x - a }
  },
  (random: Random) => {
    const a = random.int(2, 7)
    const b = random.int(1, 20)
    return { words: `the floor division of x by ${a} (Python's //), plus ${b}`, reference: (x: number) => floorDiv(x, a) + b }
  },
  (random: Random) => {
    const a = random.int(3, 9)
    const b = random.int(2, 6)
    return { words: `x modulo ${a} (Python's %), multiplied by ${b}`, reference: (x: number) => mod(x, a) * b }
  },
  (random: Random) => {
    const a = random.int(2, 6)
    const b = random.int(1, 15)
    return {
      words: `${a} times x when x is negative, and x plus ${b} otherwise`,
      reference: (x: number) => (x < 0 ? a * x : x + b),
    }
  },
] as const

/**
 * code.function: one Python function `transform_<hex>(x)`. The answer is parsed and interpreted (never
 * executed) on hidden inputs; a single mismatch, or anything outside the supported subset, fails.
 */
export function codeFunctionCanary(random: Random): Canary {
  const name = `transform_${random.hex(8)}`
  const spec = random.pick(SPECS)(random)
  const inputs = [0, ...Array.from({ length: HIDDEN_INPUTS - 1 }, (_, index) => (index % 2 ? -1 : 1) * random.int(1, 60))]
  const prompt =
    `Write a Python function named ${name} that takes one integer argument x and returns ${spec.words}. ` +
    'Reply with only the function definition: no explanation, no markdown, no code fences.'
  return {
    family: 'code.function',
    body: userProbe(prompt),
    score: ([answer]) => scoreCode(stripThink(answer!.content), name, inputs, spec.reference),
  }
}

/** Scores code that must define `name` and agree with `reference` on every input. */
export function scoreCode(code: string, name: string, inputs: number[], reference: (x: number) => number) {
  if (!code) return fail('the answer is empty')
  if (Buffer.byteLength(code, 'utf8') > MAX_CODE_BYTES) return fail('the code is too long')
  try {
    const fn = parsePythonFunction(code)
    if (fn.name !== name) return fail(`the function is named ${fn.name}, not ${name}`)
    for (const input of inputs) {
      const got = callPythonFunction(fn, input)
      if (got !== reference(input)) return fail(`wrong on a hidden input (${input} gave ${got}, expected ${reference(input)})`)
    }
    return pass
  } catch (error) {
    if (error instanceof PySubsetError) return fail(`not evaluable: ${error.message}`)
    throw error
  }
}
