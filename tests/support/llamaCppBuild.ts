import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/**
 * The llama.cpp revision node-llama-cpp ships, as a git bundle: building it keeps the reference tools on the same
 * kernels and graph code as the in-app engine.
 */
export function llamaCppBundle(): string {
  const entry = createRequire(import.meta.url).resolve('node-llama-cpp')
  return path.join(path.dirname(entry), '..', 'llama', 'gitRelease.bundle')
}

/** One checkout of the bundle under a cache folder, and where its build puts each tool. */
export interface LlamaCppTree {
  bundle: string
  /** The bundle's commit, 12 hex digits. */
  commit: string
  srcDir: string
  buildDir: string
  tool(name: string): string
}

/** Where `bundle` is checked out and built under `cacheDir` (nothing is written yet). */
export async function llamaCppTree(cacheDir: string, bundle = llamaCppBundle()): Promise<LlamaCppTree> {
  const { stdout } = await execFileAsync('git', ['bundle', 'list-heads', bundle])
  const commit = stdout.trim().split(/\s+/)[0]?.slice(0, 12) || 'unknown'
  const srcDir = path.join(cacheDir, `llama.cpp-${commit}`)
  const buildDir = path.join(srcDir, 'build')
  const tool = (name: string) => path.join(buildDir, 'bin', process.platform === 'win32' ? `${name}.exe` : name)
  return { bundle, commit, srcDir, buildDir, tool }
}

async function run(cmd: string, args: string[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    // Build output goes to stderr so that stdout stays clean for callers that print JSON.
    const child = spawn(cmd, args, { stdio: ['ignore', process.stderr, process.stderr] })
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))))
  })
}

/**
 * Checks the bundle out into `tree` once (a failed clone leaves nothing behind), then configures a static CPU-native
 * Release build without OpenMP, OpenSSL, tests or examples, plus `options`, and builds `targets` on every core.
 */
export async function buildLlamaCpp(tree: LlamaCppTree, targets: string[], options: string[]): Promise<void> {
  await mkdir(path.dirname(tree.srcDir), { recursive: true })
  if (!existsSync(tree.srcDir)) {
    const tmpDir = `${tree.srcDir}.tmp-${process.pid}`
    await rm(tmpDir, { recursive: true, force: true })
    await run('git', ['clone', '--quiet', tree.bundle, tmpDir])
    await rename(tmpDir, tree.srcDir)
  }
  await run('cmake', [
    '-S',
    tree.srcDir,
    '-B',
    tree.buildDir,
    '-DCMAKE_BUILD_TYPE=Release',
    '-DBUILD_SHARED_LIBS=OFF',
    '-DGGML_NATIVE=ON',
    '-DGGML_OPENMP=OFF',
    '-DLLAMA_OPENSSL=OFF',
    '-DLLAMA_BUILD_TESTS=OFF',
    '-DLLAMA_BUILD_EXAMPLES=OFF',
    ...options,
  ])
  const jobs = String(Math.max(1, os.availableParallelism()))
  await run('cmake', ['--build', tree.buildDir, '--config', 'Release', '--target', ...targets, '-j', jobs])
}
