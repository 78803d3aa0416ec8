import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { median } from './metrics.js'

const run = promisify(execFile)

/**
 * The bare node-llama-cpp loop (bench/bareLoop.ts) in a plain Node process: default environment, the
 * same thread count, no host, no IPC. The reference the app path is compared with.
 */
export async function measureBare(
  bareLoopEntry: string,
  model: string,
  threads: number,
  options: { genTokens: number; runs: number },
): Promise<{ genTps: number; rssMb: number }> {
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      bareLoopEntry,
      '--model',
      model,
      '--threads',
      String(threads),
      '--tokens',
      String(options.genTokens),
      '--runs',
      String(options.runs),
    ],
    { maxBuffer: 1 << 20 },
  )
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { genTps: number[]; rssMb: number }
  return { genTps: median(result.genTps), rssMb: result.rssMb }
}
