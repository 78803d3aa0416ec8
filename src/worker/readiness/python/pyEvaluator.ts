import type { PyExpr, PyFunction, PyStmt } from './pyParser.js'
import { PySubsetError } from './pyTokenizer.js'

type PyValue = number | boolean | { range: [number, number, number] }

/** Values beyond this are refused rather than approximated (JavaScript numbers are exact up to 2^53). */
const VALUE_LIMIT = 1e12
/** Statements and expressions evaluated per call, so that a loop cannot hang the scorer. */
const STEP_LIMIT = 200_000

class Return {
  constructor(readonly value: PyValue) {}
}

/**
 * Evaluates a parsed function on one integer argument, by interpreting the tree: nothing is executed.
 * Python's integer semantics (floor division and modulo toward minus infinity, bools as 0/1); a result
 * that is not an integer, an unknown name or builtin, a value out of bounds or too many steps all throw.
 */
export function callPythonFunction(fn: PyFunction, arg: number): number {
  if (fn.params.length !== 1) throw new PySubsetError('the function must take exactly one argument')
  const locals = new Map<string, PyValue>([[fn.params[0]!, arg]])
  let steps = 0
  const tick = () => {
    if (++steps > STEP_LIMIT) throw new PySubsetError('the function takes too many steps')
  }

  const int = (value: PyValue): number => {
    if (typeof value === 'boolean') return value ? 1 : 0
    if (typeof value === 'number') return value
    throw new PySubsetError('a range is not a number')
  }
  const bounded = (value: number): number => {
    if (!Number.isSafeInteger(value) || Math.abs(value) > VALUE_LIMIT) throw new PySubsetError('a value is out of bounds')
    return value
  }
  const truthy = (value: PyValue): boolean => (typeof value === 'object' ? rangeLength(value.range) > 0 : int(value) !== 0)

  function evaluate(expr: PyExpr): PyValue {
    tick()
    switch (expr.kind) {
      case 'int':
        return bounded(expr.value)
      case 'bool':
        return expr.value
      case 'name': {
        const value = locals.get(expr.name)
        if (value === undefined) throw new PySubsetError(`the name ${expr.name} is not defined`)
        return value
      }
      case 'unary': {
        const value = evaluate(expr.operand)
        if (expr.op === 'not') return !truthy(value)
        return bounded(expr.op === '-' ? -int(value) : int(value))
      }
      case 'binary':
        return binary(expr.op, int(evaluate(expr.left)), int(evaluate(expr.right)))
      case 'bool-op': {
        const left = evaluate(expr.left)
        if (expr.op === 'and') return truthy(left) ? evaluate(expr.right) : left
        return truthy(left) ? left : evaluate(expr.right)
      }
      case 'compare': {
        let left = int(evaluate(expr.first))
        for (const { op, right } of expr.rest) {
          const value = int(evaluate(right))
          if (!compare(op, left, value)) return false
          left = value
        }
        return true
      }
      case 'ternary':
        return truthy(evaluate(expr.test)) ? evaluate(expr.then) : evaluate(expr.otherwise)
      case 'call':
        return call(expr.name, expr.args.map(evaluate))
    }
  }

  function run(body: PyStmt[]): void {
    for (const stmt of body) {
      tick()
      switch (stmt.kind) {
        case 'return':
          throw new Return(evaluate(stmt.value))
        case 'pass':
          break
        case 'assign': {
          const value = evaluate(stmt.value)
          if (stmt.op === '=') locals.set(stmt.name, value)
          else {
            const current = locals.get(stmt.name)
            if (current === undefined) throw new PySubsetError(`the name ${stmt.name} is not defined`)
            locals.set(stmt.name, binary(stmt.op.slice(0, -1) as '+', int(current), int(value)))
          }
          break
        }
        case 'if':
          run(truthy(evaluate(stmt.test)) ? stmt.body : stmt.otherwise)
          break
        case 'for': {
          const [start, stop, step] = rangeOf(stmt.args.map((arg) => int(evaluate(arg))))
          for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
            tick()
            locals.set(stmt.name, i)
            run(stmt.body)
          }
          break
        }
      }
    }
  }

  try {
    run(fn.body)
  } catch (error) {
    if (!(error instanceof Return)) throw error
    if (typeof error.value !== 'number') throw new PySubsetError('the function does not return an integer')
    return error.value
  }
  throw new PySubsetError('the function returns nothing')
}

function binary(op: '+' | '-' | '*' | '//' | '%' | '**', a: number, b: number): number {
  const result = (() => {
    switch (op) {
      case '+':
        return a + b
      case '-':
        return a - b
      case '*':
        return a * b
      case '//':
        return floorDiv(a, b)
      case '%':
        return a - b * floorDiv(a, b)
      case '**':
        return power(a, b)
    }
  })()
  if (!Number.isSafeInteger(result) || Math.abs(result) > VALUE_LIMIT) throw new PySubsetError('a value is out of bounds')
  return result
}

function floorDiv(a: number, b: number): number {
  if (b === 0) throw new PySubsetError('division by zero')
  const big = BigInt(a) / BigInt(b)
  const exact = BigInt(a) % BigInt(b) === 0n
  return Number(!exact && a < 0 !== b < 0 ? big - 1n : big)
}

function power(base: number, exponent: number): number {
  if (exponent < 0) throw new PySubsetError('a negative power is not an integer')
  // 0, 1 and -1 stay in bounds whatever the exponent; any other base leaves them within 40 steps.
  if (base === 0 || base === 1) return exponent === 0 ? 1 : base
  if (base === -1) return exponent % 2 === 0 ? 1 : -1
  let result = 1
  for (let i = 0; i < exponent; i++) {
    result *= base
    if (Math.abs(result) > VALUE_LIMIT) throw new PySubsetError('a value is out of bounds')
  }
  return result
}

function compare(op: string, a: number, b: number): boolean {
  switch (op) {
    case '==':
      return a === b
    case '!=':
      return a !== b
    case '<':
      return a < b
    case '<=':
      return a <= b
    case '>':
      return a > b
    default:
      return a >= b
  }
}

function rangeOf(args: number[]): [number, number, number] {
  const [start, stop, step] = args.length === 1 ? [0, args[0]!, 1] : [args[0]!, args[1]!, args[2] ?? 1]
  if (step === 0) throw new PySubsetError('range() step must not be zero')
  return [start, stop, step]
}

function rangeLength([start, stop, step]: [number, number, number]): number {
  return Math.max(0, Math.ceil((stop - start) / step))
}

function call(name: string, args: PyValue[]): PyValue {
  const ints = () =>
    args.map((arg) => (typeof arg === 'object' ? fail('a range is not a number') : typeof arg === 'boolean' ? Number(arg) : arg))
  switch (name) {
    case 'range': {
      const values = ints()
      if (values.length < 1 || values.length > 3) return fail('range() takes one to three arguments')
      return { range: rangeOf(values) }
    }
    case 'abs': {
      if (args.length !== 1) return fail('abs() takes one argument')
      return Math.abs(ints()[0]!)
    }
    case 'len': {
      const [arg] = args
      if (args.length !== 1 || typeof arg !== 'object') return fail('len() is supported on a range only')
      return rangeLength(arg.range)
    }
    case 'min':
    case 'max': {
      const pick = name === 'min' ? Math.min : Math.max
      const [arg] = args
      if (args.length === 1 && typeof arg === 'object') {
        const [start, , step] = arg.range
        const length = rangeLength(arg.range)
        if (length === 0) return fail(`${name}() of an empty range`)
        return pick(start, start + (length - 1) * step)
      }
      if (args.length < 2) return fail(`${name}() needs two or more numbers`)
      // Python returns the first of the extreme arguments itself, so max(False, 0) is False.
      const values = ints()
      return args[values.indexOf(pick(...values))]!
    }
    default:
      return fail(`${name}() is not a supported builtin`)
  }
}

function fail(reason: string): never {
  throw new PySubsetError(reason)
}
