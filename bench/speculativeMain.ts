import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { table } from './metrics.js'
import { draftBench, predictionBench } from './predictionBench.js'
import { ensureSpeculativePair } from './syntheticGguf.js'

/**
 * Only the speculative-decoding part of `npm run bench` (issue 20 §3), for a run that fits the shared
 * bench lock: `flock /tmp/gridforge-bench.lock npx tsx bench/speculativeMain.ts [threads for the 1.1B-shaped pair]`.
 */
const root = fileURLToPath(new URL('..', import.meta.url))
const engineEntry = join(root, 'out', 'main', 'engineProcess.js')
if (!existsSync(engineEntry)) throw new Error('Run "npm run build" first.')
const threads = Number(process.argv[2] ?? 2)
const tiny = join(root, 'tests', 'fixtures', 'models', 'stories260K.gguf')
const pair = await ensureSpeculativePair(join(process.env.GRIDFORGE_BENCH_CACHE ?? join(tmpdir(), 'gridforge-bench-cache'), 'models'))
const metrics = [
  // The app gives the story model one thread (chooseThreads by file size); the bench does the same.
  ...(await predictionBench(engineEntry, 'tiny', tiny, 1, 256)),
  ...(await draftBench(engineEntry, 'tiny', { target: tiny, draft: tiny }, 1, 256, false)),
  // Prompt lookup on this pair would only repeat what the random-weight 1.1B model shows: it echoes nothing.
  ...(await draftBench(engineEntry, 'pair_2of22', pair, threads, Number(process.env.GRIDFORGE_BENCH_PAIR_TOKENS ?? 48), true)),
]
process.stdout.write(`${table(metrics)}\n`)
process.stdout.write(`${JSON.stringify({ bench: 'speculative', metrics })}\n`)
