import { IdentityError } from './identityError.js'

/** What core's payloads are made of: no floats (Python would print them differently), no undefined. */
export type CanonicalValue = string | number | boolean | null | readonly CanonicalValue[] | { readonly [key: string]: CanonicalValue }

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' }

/**
 * Python's `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)`, byte for byte, because core
 * rebuilds the signed message that way: keys sorted by code point (not by UTF-16 unit, which differs above U+FFFF),
 * everything outside printable ASCII as lowercase `\uXXXX` (astral characters as surrogate pairs), integers only.
 */
export function canonicalJson(value: CanonicalValue): string {
  if (value === null) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number') return integer(value)
  if (typeof value === 'string') return quote(value)
  if (Array.isArray(value)) return `[${value.map((item: CanonicalValue) => canonicalJson(item)).join(',')}]`
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, CanonicalValue>)
    for (const [key, item] of entries) if (item === undefined) throw new IdentityError(`Canonical JSON has no undefined (key "${key}").`)
    entries.sort(([a], [b]) => compareCodePoints(a, b))
    return `{${entries.map(([key, item]) => `${quote(key)}:${canonicalJson(item)}`).join(',')}}`
  }
  throw new IdentityError(`Canonical JSON cannot hold a ${typeof value}.`)
}

function integer(value: number): string {
  // Python prints floats as 1.0 / 1e+16; core's payloads hold only integers, so anything else is a bug upstream.
  if (!Number.isSafeInteger(value)) throw new IdentityError(`Canonical JSON holds only whole numbers, not ${value}.`)
  return String(value)
}

function quote(text: string): string {
  let out = '"'
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    const unit = text.charCodeAt(i)
    if (SHORT_ESCAPES[char]) out += SHORT_ESCAPES[char]
    else if (unit < 0x20 || unit > 0x7e) out += `\\u${unit.toString(16).padStart(4, '0')}`
    else out += char
  }
  return `${out}"`
}

function compareCodePoints(a: string, b: string): number {
  const left = [...a]
  const right = [...b]
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const diff = left[i]!.codePointAt(0)! - right[i]!.codePointAt(0)!
    if (diff !== 0) return diff
  }
  return left.length - right.length
}
