import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { EngineSupervisor } from '../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../src/main/engine/forkLauncher.js'
import { metric, type Metric } from './metrics.js'
import { slotCalibrationRows } from './slotCalibrationBench.js'
import { runJobs } from './workerBench.js'

const execFileAsync = promisify(execFile)

/** Slot counts compared; the engine's context holds the largest. */
const COUNTS = [1, 2, 4] as const
/** Generated tokens per job: a few seconds per round on 2 cores, long enough that polling is noise. */
const GEN_TOKENS = 64
/** Jobs per slot: every slot takes more than one, so the slot count is what the grid sees. */
const ROUNDS = 2
/** The AIPG job's prompt ("Once upon a time") as the model sees it, in tokens with BOS. */
const PROMPT_TOKENS = 8

interface BatchedRow {
  pl: number
  tg: number
  t_pp: number
  t_tg: number
}

/**
 * llama.cpp's `llama-batched-bench` at `parallel` sequences: generated tokens per second of wall time,
 * prompt processing included, as the worker's aggregate counts them.
 */
async function referenceTps(bin: string, model: string, threads: number, parallel: number): Promise<number> {
  const { stdout, stderr } = await execFileAsync(
    bin,
    [
      ...['-m', model, '-t', String(threads), '-c', String(parallel * (PROMPT_TOKENS + GEN_TOKENS) + 16)],
      ...['-npp', String(PROMPT_TOKENS), '-ntg', String(GEN_TOKENS), '-npl', String(parallel), '--output-format', 'jsonl'],
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  )
  const line = `${stdout}\n${stderr}`.split('\n').find((candidate) => candidate.startsWith('{"n_kv_max"'))
  if (!line) throw new Error('llama-batched-bench printed no result')
  const row = JSON.parse(line) as BatchedRow
  return (row.pl * row.tg) / (row.t_pp + row.t_tg)
}

/**
 * Issue 20 §1: aggregate generation through the real worker (dev grid on loopback, engine process, one
 * context of four sequences) with 1, 2 and 4 slots, each next to llama-batched-bench at the same parallel
 * count and thread count, so every ratio comes from one quiet-or-not moment of the machine; then the slot
 * count a fresh calibration chooses on the same engine, against those worker aggregates.
 */
export async function batchedBench(engineEntry: string, model: string, threads: number, batchedBin: string | null): Promise<Metric[]> {
  const metrics: Metric[] = []
  const workerTps = new Map<number, number>()
  // An empty calibration cache: the calibration after the worker rounds measures, as at a first Start.
  const calibrationDir = mkdtempSync(join(tmpdir(), 'gridforge-bench-calibration-'))
  const engine = new EngineSupervisor({
    launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }),
    threads,
    sequences: Math.max(...COUNTS),
    slotCalibrationFile: join(calibrationDir, 'slot-calibration.json'),
  })
  try {
    await engine.load(model)
    await runJobs(engine, 'aipg', 1, 1, 8, 'tinyllama-shaped')
    for (const slots of COUNTS) {
      const load = loadavg()[0]!.toFixed(1)
      const app = await runJobs(engine, 'aipg', slots, slots * ROUNDS, GEN_TOKENS, 'tinyllama-shaped')
      metrics.push(metric(`batched.tinyllama_q8.worker_tps.slots${slots}`, app.tokensPerSecond, 'tok/s', undefined, `load ${load}`))
      workerTps.set(slots, app.tokensPerSecond)
      if (!batchedBin) continue
      const reference = await referenceTps(batchedBin, model, threads, slots)
      metrics.push(metric(`reference.tinyllama_q8.batched_bench_tps.pl${slots}`, reference, 'tok/s'))
      metrics.push(metric(`batched.tinyllama_q8.worker_vs_batched_bench.slots${slots}`, app.tokensPerSecond / reference, 'ratio', '>= 0.9'))
    }
    metrics.push(...(await slotCalibrationRows(engine, 'tinyllama_q8', workerTps)))
  } finally {
    await engine.close()
    rmSync(calibrationDir, { recursive: true, force: true })
  }
  return metrics
}
