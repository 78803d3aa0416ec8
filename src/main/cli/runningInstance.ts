import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'

/** A `serve` or `worker` running on a data folder, as `gridforge status` finds it. Holds no token or key. */
const instanceSchema = z.object({
  kind: z.enum(['serve', 'worker']),
  pid: z.number().int().positive(),
  /** The web UI (serve), without its token. */
  url: z.string().max(300).nullable(),
  metricsUrl: z.string().max(300).nullable(),
  version: z.string().max(50),
  /** The grid a worker serves (its --grid-url); null for serve, which uses the saved earn settings. */
  grid: z.object({ network: z.enum(['aipg', 'horde']), url: z.string().max(300) }).nullable(),
  startedAt: z.number(),
})
export type RunningInstance = z.infer<typeof instanceSchema>

const folder = (dataDir: string) => join(dataDir, 'running')

/** Tells `gridforge status` that this process runs; returns the function that takes it back at exit. */
export function announceInstance(dataDir: string, instance: Omit<RunningInstance, 'pid' | 'startedAt'>): () => void {
  const file = join(folder(dataDir), `${instance.kind}-${process.pid}.json`)
  try {
    mkdirSync(folder(dataDir), { recursive: true })
    writeFileSync(file, JSON.stringify({ ...instance, pid: process.pid, startedAt: Date.now() }))
  } catch {
    // Status then reports nothing running: no reason to stop earning.
    return () => undefined
  }
  return () => rmSync(file, { force: true })
}

/** The instances whose process is still alive; files left by a crashed one are removed. */
export function runningInstances(dataDir: string): RunningInstance[] {
  let names: string[]
  try {
    names = readdirSync(folder(dataDir)).filter((name) => name.endsWith('.json'))
  } catch {
    return []
  }
  const found: RunningInstance[] = []
  for (const name of names) {
    const file = join(folder(dataDir), name)
    let parsed: RunningInstance | null = null
    try {
      parsed = instanceSchema.parse(JSON.parse(readFileSync(file, 'utf8')))
    } catch {
      parsed = null
    }
    if (parsed && isAlive(parsed.pid)) found.push(parsed)
    else rmSync(file, { force: true })
  }
  return found.sort((a, b) => a.startedAt - b.startedAt)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
