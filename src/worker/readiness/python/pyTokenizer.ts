/** Why a code answer is outside the subset the scorer evaluates (the scorer then fails closed). */
export class PySubsetError extends Error {
  override name = 'PySubsetError'
}

export type PyToken =
  | { kind: 'name'; text: string; line: number }
  | { kind: 'int'; value: number; line: number }
  | { kind: 'op'; text: string; line: number }
  | { kind: 'newline' | 'indent' | 'dedent' | 'end'; line: number }

const OPERATORS = ['//=', '**', '//', '==', '!=', '<=', '>=', '+=', '-=', '*=', '%=', '+', '-', '*', '%', '<', '>', '=', '(', ')', ',', ':']
const MAX_TOKENS = 2000

/**
 * Splits source into Python tokens with INDENT / DEDENT, for the restricted subset only: names, decimal
 * integers and the operators above. Strings, floats, `/`, attributes, subscripts and anything else fail.
 */
export function tokenizePython(source: string): PyToken[] {
  const tokens: PyToken[] = []
  const indents = [0]
  let depth = 0
  const lines = source.replace(/\r\n?/g, '\n').split('\n')
  lines.forEach((raw, index) => {
    const line = index + 1
    const text = raw.replace(/#.*$/, '')
    if (depth === 0) {
      if (!text.trim()) return
      const indent = /^[ \t]*/.exec(text)![0].replace(/\t/g, '        ').length
      if (indent > indents.at(-1)!) {
        indents.push(indent)
        tokens.push({ kind: 'indent', line })
      }
      while (indent < indents.at(-1)!) {
        indents.pop()
        tokens.push({ kind: 'dedent', line })
      }
      if (indent !== indents.at(-1)) throw new PySubsetError(`line ${line}: the indentation does not match an outer level`)
    }
    let at = 0
    while (at < text.length) {
      const rest = text.slice(at)
      const space = /^[ \t]+/.exec(rest)
      if (space) {
        at += space[0].length
        continue
      }
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)
      const int = /^\d+/.exec(rest)
      const op = OPERATORS.find((candidate) => rest.startsWith(candidate))
      if (name) tokens.push({ kind: 'name', text: name[0], line })
      else if (int) {
        if (/^[0-9A-Za-z_.]/.test(rest.slice(int[0].length)) || (int[0].length > 1 && int[0].startsWith('0'))) {
          throw new PySubsetError(`line ${line}: only plain decimal integers are supported`)
        }
        tokens.push({ kind: 'int', value: Number(int[0]), line })
      } else if (op) {
        if (op === '(') depth++
        if (op === ')') depth = Math.max(0, depth - 1)
        tokens.push({ kind: 'op', text: op, line })
      } else throw new PySubsetError(`line ${line}: "${rest[0]}" is outside the supported subset`)
      at += (name ?? int)?.[0].length ?? op!.length
      if (tokens.length > MAX_TOKENS) throw new PySubsetError('the code is too long')
    }
    if (depth === 0 && tokens.at(-1)?.kind !== 'newline') tokens.push({ kind: 'newline', line })
  })
  if (depth !== 0) throw new PySubsetError('a parenthesis is not closed')
  const last = lines.length
  while (indents.length > 1) {
    indents.pop()
    tokens.push({ kind: 'dedent', line: last })
  }
  tokens.push({ kind: 'end', line: last })
  return tokens
}
