import { execFile, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { buildLlamaCpp, llamaCppBundle, llamaCppTree } from '../tests/support/llamaCppBuild.js'

const execFileAsync = promisify(execFile)

export type LlamaBenchOptions = {
  model: string
  threads: number
  promptTokens: number
  genTokens: number
  repetitions: number
}

export type LlamaBenchResult = { promptTps: number; genTps: number }

type LlamaBenchRow = { n_prompt: number; n_gen: number; avg_ts: number }

/** llama.cpp's tools the bench compares against, built once from the same source. */
export interface LlamaTools {
  bench: string
  batchedBench: string
}

export async function ensureLlamaBench(cacheDir: string): Promise<LlamaTools> {
  const bundle = llamaCppBundle()
  if (!existsSync(bundle)) throw new Error(`llama.cpp source bundle not found at ${bundle}`)
  const tree = await llamaCppTree(cacheDir, bundle)
  const tools: LlamaTools = { bench: tree.tool('llama-bench'), batchedBench: tree.tool('llama-batched-bench') }
  if (existsSync(tools.bench) && existsSync(tools.batchedBench)) return tools

  const minutes = Math.ceil(10 / Math.max(1, os.availableParallelism()))
  process.stderr.write(`building llama-bench and llama-batched-bench once (llama.cpp ${tree.commit}), ~${minutes} minutes\n`)
  const started = Date.now()
  await buildLlamaCpp(tree, ['llama-bench', 'llama-batched-bench'], ['-DLLAMA_BUILD_SERVER=OFF'])
  for (const bin of Object.values(tools)) if (!existsSync(bin)) throw new Error(`the llama.cpp build finished but ${bin} is missing`)
  process.stderr.write(`llama.cpp tools built in ${Math.round((Date.now() - started) / 1000)} s: ${path.dirname(tools.bench)}\n`)
  return tools
}

function benchArgs(opts: LlamaBenchOptions): string[] {
  return [
    '-m',
    opts.model,
    '-t',
    String(opts.threads),
    '-p',
    String(opts.promptTokens),
    '-n',
    String(opts.genTokens),
    '-r',
    String(opts.repetitions),
    '-o',
    'json',
  ]
}

export async function runLlamaBench(bin: string, opts: LlamaBenchOptions): Promise<LlamaBenchResult> {
  const { stdout } = await execFileAsync(bin, benchArgs(opts), { maxBuffer: 16 * 1024 * 1024 })
  const rows = JSON.parse(stdout) as LlamaBenchRow[]
  // llama-bench runs one test per non-zero -p / -n value: pp has n_gen 0, tg has n_prompt 0.
  const pp = rows.find((r) => r.n_prompt > 0 && r.n_gen === 0)
  const tg = rows.find((r) => r.n_gen > 0 && r.n_prompt === 0)
  return { promptTps: pp?.avg_ts ?? 0, genTps: tg?.avg_ts ?? 0 }
}

function readPeakRssKb(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) : null
  } catch {
    return null
  }
}

/** Peak RSS of one llama-bench generation run, or null where /proc is unavailable. */
export async function llamaBenchPeakRssMb(
  bin: string,
  opts: Pick<LlamaBenchOptions, 'model' | 'threads' | 'genTokens'>,
): Promise<number | null> {
  if (process.platform !== 'linux') return null
  const args = benchArgs({ ...opts, promptTokens: 0, repetitions: 1 })
  const child = spawn(bin, args, { stdio: 'ignore' })
  const pid = child.pid
  if (pid === undefined) return null
  // VmHWM is already a high-water mark, so the last sample before exit is the peak.
  let peakKb: number | null = null
  const timer = setInterval(() => {
    peakKb = readPeakRssKb(pid) ?? peakKb
  }, 20)
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', resolve)
  }).finally(() => clearInterval(timer))
  if (code !== 0) throw new Error(`llama-bench exited with ${code}`)
  return peakKb === null ? null : Math.round(peakKb / 1024)
}
