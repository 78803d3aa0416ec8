import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { z } from 'zod'

/**
 * Reads a small JSON file through `schema`. A missing, truncated or hand-edited file gives `fallback`
 * instead of an error: these files hold preferences, never anything the user would lose.
 */
export function readJsonFile<T>(file: string, schema: z.ZodType<T>, fallback: T): T {
  try {
    const parsed = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')))
    return parsed.success ? parsed.data : fallback
  } catch {
    return fallback
  }
}

/** Writes a small JSON file atomically (a crash mid-write leaves the old file, not half a new one). */
export function writeJsonFile(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true })
  const temp = `${file}.${process.pid}.tmp`
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`)
  renameSync(temp, file)
}
