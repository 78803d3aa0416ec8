import { readFileSync } from 'node:fs'
import { isDesktopSealed } from '../store/sealedSecrets.js'
import { UsageError } from './usage.js'

/** Parses a positive integer option, or throws a one-sentence usage error. */
export function positiveInt(value: string | undefined, name: string, fallback: number): number
export function positiveInt(value: string | undefined, name: string, fallback: null): number | null
export function positiveInt(value: string | undefined, name: string, fallback: number | null): number | null {
  if (value === undefined) return fallback
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 1) throw new UsageError(`--${name} must be a positive whole number.`)
  return parsed
}

/** Reads a file holding only a key (`what` names it in the sentence), or throws a one-sentence usage error. */
export function readKeyFile(file: string, what: string): string {
  let key: string
  try {
    key = readFileSync(file, 'utf8').trim()
  } catch {
    throw new UsageError(`Cannot read the ${what} file ${file}.`)
  }
  if (isDesktopSealed(key)) {
    throw new UsageError(
      `The ${what} file ${file} holds a key the GridForge desktop app encrypted with this account's keychain, which the command line cannot read; pass a file holding the plain key.`,
    )
  }
  if (!key || /\s/.test(key)) throw new UsageError(`The ${what} file ${file} must contain just the key.`)
  return key
}
