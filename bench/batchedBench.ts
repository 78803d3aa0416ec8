import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { EngineSupervisor } from '../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../src/main/engine/forkLauncher.js'
import { median, metric, type Metric } from './metrics.js'
import { slotCalibrationRows } from './slotCalibrationBench.js'
import { runJobs } from './workerBench.js'

const execFileAsync = promisify(execFile)

/** Slot counts compared; the engine's context holds the largest. */
const COUNTS = [1, 2, 4] as const
/** Generated tokens per job: a few seconds per round on 2 cores, long enough that polling is noise. */
const GEN_TOKENS = 64
/** Jobs per slot: every slot takes more than one, so the slot count is what the grid sees. */
const JOBS_PER_SLOT = 2

interface BatchedRow {
  pl: number
  tg: number
  t_pp: number
  t_tg: number
}

/** What llama-batched-bench is asked to do: the worker's measured job shape and context. */
interface ReferenceShape {
  threads: number
  parallel: number
  promptTokens: number
  genTokens: number
  /** The app's context per sequence: the reference gets as many cells per sequence. */
  contextPerSequence: number
}

/**
 * llama.cpp's `llama-batched-bench` at `parallel` sequences: generated tokens per second of wall time,
 * prompt processing included, as the worker's aggregate counts them.
 */
async function referenceTps(bin: string, model: string, shape: ReferenceShape): Promise<number> {
  const { stdout, stderr } = await execFileAsync(
    bin,
    [
      ...['-m', model, '-t', String(shape.threads), '-c', String(shape.parallel * shape.contextPerSequence)],
      ...['-npp', String(shape.promptTokens), '-ntg', String(shape.genTokens), '-npl', String(shape.parallel), '--output-format', 'jsonl'],
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  )
  const line = `${stdout}\n${stderr}`.split('\n').find((candidate) => candidate.startsWith('{"n_kv_max"'))
  if (!line) throw new Error('llama-batched-bench printed no result')
  const row = JSON.parse(line) as BatchedRow
  return (row.pl * row.tg) / (row.t_pp + row.t_tg)
}

interface SlotSamples {
  worker: number[]
  reference: number[]
  ratios: number[]
  loads: string[]
}

/**
 * Issue 20 §1: aggregate generation through the real worker (dev grid on loopback, engine process, one
 * context of four sequences) with 1, 2 and 4 slots, each next to llama-batched-bench at the same parallel
 * count and thread count, alternating round by round so every ratio comes from one moment of the machine.
 * Like with like: the reference gets the worker's measured prompt and completion lengths and the app's
 * context per sequence; the worker's time runs from its first job taken to its last answered (its start-up
 * and the wait for an empty queue are not per-job costs). The worker still samples every token (top-k,
 * top-p, temperature) where llama-batched-bench decodes random tokens. After
 * the rounds: the slot count a fresh calibration chooses on the same engine, against those worker aggregates.
 */
export async function batchedBench(
  engineEntry: string,
  model: string,
  threads: number,
  batchedBin: string | null,
  rounds = 1,
): Promise<Metric[]> {
  const metrics: Metric[] = []
  // An empty calibration cache: the calibration after the worker rounds measures, as at a first Start.
  const calibrationDir = mkdtempSync(join(tmpdir(), 'gridforge-bench-calibration-'))
  const engine = new EngineSupervisor({
    launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }),
    threads,
    sequences: Math.max(...COUNTS),
    slotCalibrationFile: join(calibrationDir, 'slot-calibration.json'),
  })
  const samples = new Map<number, SlotSamples>(COUNTS.map((slots) => [slots, { worker: [], reference: [], ratios: [], loads: [] }]))
  try {
    const loaded = await engine.load(model)
    await runJobs(engine, 'aipg', 1, 1, 8, 'tinyllama-shaped')
    for (let round = 0; round < rounds; round++) {
      for (const slots of COUNTS) {
        const own = samples.get(slots)!
        own.loads.push(loadavg()[0]!.toFixed(1))
        const app = await runJobs(engine, 'aipg', slots, slots * JOBS_PER_SLOT, GEN_TOKENS, 'tinyllama-shaped')
        own.worker.push(app.busyTokensPerSecond)
        if (!batchedBin) continue
        const reference = await referenceTps(batchedBin, model, {
          threads,
          parallel: slots,
          promptTokens: Math.max(1, Math.round(app.promptTokens)),
          genTokens: Math.max(1, Math.round(app.completionTokens)),
          contextPerSequence: loaded.contextSize,
        })
        own.reference.push(reference)
        own.ratios.push(app.busyTokensPerSecond / reference)
      }
    }
    const workerTps = new Map([...samples].map(([slots, own]) => [slots, median(own.worker)]))
    metrics.push(...(await slotCalibrationRows(engine, 'tinyllama_q8', workerTps)))
  } finally {
    await engine.close()
    rmSync(calibrationDir, { recursive: true, force: true })
  }
  for (const [slots, own] of samples) {
    const note = `${rounds} round${rounds === 1 ? '' : 's'}, load ${own.loads.join(' / ')}`
    metrics.push(metric(`batched.tinyllama_q8.worker_tps.slots${slots}`, median(own.worker), 'tok/s', undefined, note))
    if (own.reference.length === 0) continue
    metrics.push(metric(`reference.tinyllama_q8.batched_bench_tps.pl${slots}`, median(own.reference), 'tok/s'))
    const perRound = own.ratios.map((ratio) => ratio.toFixed(2)).join(' / ')
    metrics.push(metric(`batched.tinyllama_q8.worker_vs_batched_bench.slots${slots}`, median(own.ratios), 'ratio', '>= 0.9', perRound))
  }
  return metrics
}
