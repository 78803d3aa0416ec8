import { PySubsetError, tokenizePython, type PyToken } from './pyTokenizer.js'

export type PyExpr =
  | { kind: 'int'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'name'; name: string }
  | { kind: 'unary'; op: '-' | '+' | 'not'; operand: PyExpr }
  | { kind: 'binary'; op: '+' | '-' | '*' | '//' | '%' | '**'; left: PyExpr; right: PyExpr }
  | { kind: 'bool-op'; op: 'and' | 'or'; left: PyExpr; right: PyExpr }
  | { kind: 'compare'; first: PyExpr; rest: Array<{ op: string; right: PyExpr }> }
  | { kind: 'ternary'; test: PyExpr; then: PyExpr; otherwise: PyExpr }
  | { kind: 'call'; name: string; args: PyExpr[] }

export type PyStmt =
  | { kind: 'return'; value: PyExpr }
  | { kind: 'assign'; name: string; op: '=' | '+=' | '-=' | '*=' | '//=' | '%='; value: PyExpr }
  | { kind: 'if'; test: PyExpr; body: PyStmt[]; otherwise: PyStmt[] }
  | { kind: 'for'; name: string; args: PyExpr[]; body: PyStmt[] }
  | { kind: 'pass' }

/** The one function of a code answer. */
export interface PyFunction {
  name: string
  params: string[]
  body: PyStmt[]
}

/** Python's reserved words, never a name (one string, as the packaging check reads a quoted word after the word from as an import). */
const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
)
const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>='])
const ASSIGNMENTS = new Set(['=', '+=', '-=', '*=', '//=', '%='])

/**
 * Parses source that must be exactly one `def` in the subset the code.function scorer evaluates: return,
 * assignments to local names, if/elif/else, for over range(), arithmetic (+ - * // % **), comparisons,
 * and/or/not, conditional expressions and calls to a few builtins. Anything else throws PySubsetError.
 */
export function parsePythonFunction(source: string): PyFunction {
  const tokens = tokenizePython(source)
  let at = 0
  const peek = (): PyToken => tokens[at]!
  const isOp = (text: string) => peek().kind === 'op' && (peek() as { text: string }).text === text
  const isName = (text: string) => peek().kind === 'name' && (peek() as { text: string }).text === text
  const fault = (what: string): never => {
    throw new PySubsetError(`line ${peek().line}: ${what}`)
  }
  const expectOp = (text: string) => {
    if (!isOp(text)) fault(`expected "${text}"`)
    at++
  }
  const expectKeyword = (text: string) => {
    if (!isName(text)) fault(`expected "${text}"`)
    at++
  }
  const expectKind = (kind: PyToken['kind']) => {
    if (peek().kind !== kind) fault(`expected ${kind}`)
    at++
  }
  const identifier = (): string => {
    const token = peek()
    if (token.kind !== 'name' || KEYWORDS.has(token.text)) return fault('expected a name')
    at++
    return token.text
  }

  function block(): PyStmt[] {
    expectOp(':')
    if (peek().kind !== 'newline') return [simpleStatement()]
    expectKind('newline')
    expectKind('indent')
    const body: PyStmt[] = []
    while (peek().kind !== 'dedent' && peek().kind !== 'end') body.push(statement())
    expectKind('dedent')
    return body
  }

  function statement(): PyStmt {
    if (isName('if')) return ifStatement()
    if (isName('for')) {
      at++
      const name = identifier()
      expectKeyword('in')
      expectKeyword('range')
      expectOp('(')
      const args = [expression()]
      while (isOp(',')) {
        at++
        args.push(expression())
      }
      expectOp(')')
      if (args.length > 3) fault('range() takes at most three arguments')
      return { kind: 'for', name, args, body: block() }
    }
    return simpleStatement()
  }

  function ifStatement(): PyStmt {
    at++
    const test = expression()
    const body = block()
    let otherwise: PyStmt[] = []
    if (isName('elif')) otherwise = [ifStatement()]
    else if (isName('else')) {
      at++
      otherwise = block()
    }
    return { kind: 'if', test, body, otherwise }
  }

  function simpleStatement(): PyStmt {
    let stmt: PyStmt
    if (isName('return')) {
      at++
      stmt = { kind: 'return', value: expression() }
    } else if (isName('pass')) {
      at++
      stmt = { kind: 'pass' }
    } else {
      const name = identifier()
      const token = peek()
      if (token.kind !== 'op' || !ASSIGNMENTS.has(token.text)) return fault('only assignments, return, if and for are supported')
      at++
      stmt = { kind: 'assign', name, op: token.text as '=', value: expression() }
    }
    expectKind('newline')
    return stmt
  }

  function expression(): PyExpr {
    const value = orExpression()
    if (!isName('if')) return value
    at++
    const test = orExpression()
    expectKeyword('else')
    return { kind: 'ternary', test, then: value, otherwise: expression() }
  }

  function orExpression(): PyExpr {
    let left = andExpression()
    while (isName('or')) {
      at++
      left = { kind: 'bool-op', op: 'or', left, right: andExpression() }
    }
    return left
  }

  function andExpression(): PyExpr {
    let left = notExpression()
    while (isName('and')) {
      at++
      left = { kind: 'bool-op', op: 'and', left, right: notExpression() }
    }
    return left
  }

  function notExpression(): PyExpr {
    if (!isName('not')) return comparison()
    at++
    return { kind: 'unary', op: 'not', operand: notExpression() }
  }

  function comparison(): PyExpr {
    const first = arithmetic()
    const rest: Array<{ op: string; right: PyExpr }> = []
    for (let token = peek(); token.kind === 'op' && COMPARISONS.has(token.text); token = peek()) {
      at++
      rest.push({ op: token.text, right: arithmetic() })
    }
    return rest.length ? { kind: 'compare', first, rest } : first
  }

  function arithmetic(): PyExpr {
    let left = term()
    while (isOp('+') || isOp('-')) {
      const op = (tokens[at++] as { text: '+' | '-' }).text
      left = { kind: 'binary', op, left, right: term() }
    }
    return left
  }

  function term(): PyExpr {
    let left = factor()
    while (isOp('*') || isOp('//') || isOp('%')) {
      const op = (tokens[at++] as { text: '*' | '//' | '%' }).text
      left = { kind: 'binary', op, left, right: factor() }
    }
    return left
  }

  function factor(): PyExpr {
    if (isOp('-') || isOp('+')) {
      const op = (tokens[at++] as { text: '-' | '+' }).text
      return { kind: 'unary', op, operand: factor() }
    }
    const base = atom()
    if (!isOp('**')) return base
    at++
    return { kind: 'binary', op: '**', left: base, right: factor() }
  }

  function atom(): PyExpr {
    const token = peek()
    if (token.kind === 'int') {
      at++
      return { kind: 'int', value: token.value }
    }
    if (isOp('(')) {
      at++
      const inner = expression()
      expectOp(')')
      return inner
    }
    if (isName('True') || isName('False')) {
      at++
      return { kind: 'bool', value: token.kind === 'name' && token.text === 'True' }
    }
    const name = identifier()
    if (!isOp('(')) return { kind: 'name', name }
    at++
    const args: PyExpr[] = []
    while (!isOp(')')) {
      if (args.length) expectOp(',')
      if (name === 'len' || name === 'min' || name === 'max') {
        if (isName('range')) {
          at++
          expectOp('(')
          const rangeArgs = [expression()]
          while (isOp(',')) {
            at++
            rangeArgs.push(expression())
          }
          expectOp(')')
          args.push({ kind: 'call', name: 'range', args: rangeArgs })
          continue
        }
      }
      args.push(expression())
    }
    expectOp(')')
    return { kind: 'call', name, args }
  }

  while (peek().kind === 'newline') at++
  expectKeyword('def')
  const name = identifier()
  expectOp('(')
  const params: string[] = []
  while (!isOp(')')) {
    if (params.length) expectOp(',')
    params.push(identifier())
  }
  expectOp(')')
  const body = block()
  if (peek().kind !== 'end') fault('only one function definition is allowed')
  return { name, params, body }
}
