import { describe, expect, it } from 'vitest'
import { callPythonFunction } from '../../src/worker/readiness/python/pyEvaluator.js'
import { parsePythonFunction } from '../../src/worker/readiness/python/pyParser.js'
import { PySubsetError } from '../../src/worker/readiness/python/pyTokenizer.js'

const run = (source: string, x: number) => callPythonFunction(parsePythonFunction(source), x)
const outputs = (source: string, inputs: number[]) => inputs.map((x) => run(source, x))

describe('the restricted Python evaluator', () => {
  it("follows Python's integer semantics: floor division and modulo toward minus infinity, powers, precedence", () => {
    expect(outputs('def f(x):\n    return x // 4', [7, -7, 8, -8])).toEqual([1, -2, 2, -2])
    expect(outputs('def f(x):\n    return x % 4', [7, -7, 8])).toEqual([3, 1, 0])
    expect(outputs('def f(x):\n    return -x ** 2 + 2 * 3 - 1', [3])).toEqual([-4])
    expect(outputs('def f(x):\n    return 2 ** 3 ** 2', [0])).toEqual([512])
    expect(outputs('def f(x):\n    return x ** 3 + 0 ** 0 + x ** 0', [-1, -2, 1])).toEqual([1, -6, 3])
    expect(outputs('def f(x):\n    return (x + 1) * (x - 1)', [5])).toEqual([24])
  })

  it('runs local variables, augmented assignment, if/elif/else, loops over range and conditional expressions', () => {
    const source = [
      'def classify(x):',
      '    # why: a sum over a range, then a branch',
      '    total = 0',
      '    for i in range(x):',
      '        if i % 2 == 0:',
      '            total += i',
      '        elif i % 3 == 0:',
      '            total -= 1',
      '        else:',
      '            pass',
      '    return total if total < 100 else 100',
    ].join('\n')
    expect(outputs(source, [0, 5, 10, 50])).toEqual([0, 5, 18, 100])
    expect(outputs('def f(x):\n    if x < 0: return -x\n    return x', [-3, 4])).toEqual([3, 4])
    expect(outputs('def f(x):\n    s = 0\n    for i in range(10, 0, -3):\n        s = s * 10 + i\n    return s', [0])).toEqual([10741])
  })

  it('has abs, min, max and len over a range; chained comparisons; and / or / not', () => {
    expect(outputs('def f(x):\n    return abs(x - 10) + min(x, 3) + max(1, x, 2)', [4, 20])).toEqual([13, 33])
    expect(outputs('def f(x):\n    return len(range(x)) + max(range(2, x))', [5])).toEqual([9])
    expect(outputs('def f(x):\n    return 1 if 0 < x <= 10 else 0', [0, 5, 10, 11])).toEqual([0, 1, 1, 0])
    expect(outputs('def f(x):\n    return (x > 0 and x) or (not x and 7) or -1', [3, 0, -2])).toEqual([3, 7, -1])
    expect(outputs('def f(x):\n    return True + x', [1])).toEqual([2])
  })

  it.each([
    ['a string', 'def f(x):\n    return len("abc")'],
    ['true division', 'def f(x):\n    return x / 2'],
    ['a float', 'def f(x):\n    return x * 1.5'],
    ['an import', 'import os\ndef f(x):\n    return x'],
    ['an attribute', 'def f(x):\n    return x.real'],
    ['a subscript', 'def f(x):\n    return [x][0]'],
    ['eval', 'def f(x):\n    return eval("x")'],
    ['a call to itself', 'def f(x):\n    return f(x - 1) if x else 0'],
    ['a while loop', 'def f(x):\n    while x:\n        x -= 1\n    return x'],
    ['a nested def', 'def f(x):\n    def g(y):\n        return y\n    return g(x)'],
    ['a lambda', 'def f(x):\n    return (lambda y: y)(x)'],
    ['a second top-level statement', 'def f(x):\n    return x\nprint(1)'],
    ['a decorator', '@cache\ndef f(x):\n    return x'],
    ['an undefined name', 'def f(x):\n    return y'],
    ['a boolean result', 'def f(x):\n    return x > 0'],
    ['a boolean that max() picked', 'def f(x):\n    return max(False, 0)'],
    ['no return', 'def f(x):\n    y = x'],
    ['division by zero', 'def f(x):\n    return x // 0'],
    ['a huge value', 'def f(x):\n    return 10 ** 20'],
    ['a runaway loop', 'def f(x):\n    s = 0\n    for i in range(10 ** 9):\n        s += 1\n    return s'],
    ['two parameters', 'def f(x, y):\n    return x'],
    ['bad indentation', 'def f(x):\n        y = 1\n    return y'],
    ['markdown fences', '```python\ndef f(x):\n    return x\n```'],
  ])('fails closed on %s', (_what, source) => {
    expect(() => run(source, 3)).toThrow(PySubsetError)
  })
})
