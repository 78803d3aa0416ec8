import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'

/**
 * Where "Optimize the engine for this PC" keeps its files, all inside the data folder (never in
 * node_modules of the installed app, which may be read-only and is replaced by every update).
 */
export function engineBuildPaths(dataDir: string) {
  const root = join(dataDir, 'engine')
  return {
    root,
    /** Which engine the next engine start loads. */
    choice: join(root, 'choice.json'),
    /** The verified build the engine loads. */
    optimized: join(root, 'optimized'),
    /** A finished build waiting for its verification. */
    candidate: join(root, 'candidate'),
    /** The source and object files of a build under way; removed when it ends. */
    work: join(root, 'work'),
    /** What the running engine loaded, written by the engine process. */
    running: join(root, 'running.json'),
    /** Present while the engine process loads the optimized build: left behind, it means that load crashed. */
    loading: join(root, 'loading-optimized'),
    /** The last build's compiler output, for a bug report. */
    log: join(root, 'build.log'),
  }
}

export type EngineBuildPaths = ReturnType<typeof engineBuildPaths>

export const MANIFEST_FILE = 'gridforge-build.json'

const flavor = z.enum(['standard', 'optimized'])

export const choiceSchema = z.object({ flavor })
export type EngineChoice = z.infer<typeof choiceSchema>

/** What a build records about itself; the engine refuses a build made for another node-llama-cpp. */
export const manifestSchema = z.object({
  nodeLlamaCpp: z.string().min(1),
  llamaCppRelease: z.string().min(1),
  llamaCppRepo: z.string().min(1),
  platform: z.string().min(1),
  arch: z.string().min(1),
  cmakeOptions: z.record(z.string(), z.string()),
  builtAt: z.string().min(1),
  buildSeconds: z.number().nonnegative(),
  /** The model file the verification generated with (its name only), or null when none was at hand. */
  verifiedWith: z.string().nullable(),
})
export type BuildManifest = z.infer<typeof manifestSchema>

export const runningSchema = z.object({ flavor, note: z.string().nullable() })
export type RunningEngine = z.infer<typeof runningSchema>

/** A JSON file parsed with its schema; null when it is absent or does not parse (a hand-edited or torn file). */
export function readJsonFile<T>(file: string, schema: z.ZodType<T>): T | null {
  if (!existsSync(file)) return null
  try {
    const parsed = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
export function writeJsonFile(file: string, value: unknown): void {
  mkdirSync(join(file, '..'), { recursive: true })
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`)
  renameSync(temporary, file)
}

export function removePath(path: string): void {
  rmSync(path, { recursive: true, force: true })
}
