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
