import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { freePort } from './freePort.js'
import { buildLlamaCpp, llamaCppBundle, llamaCppTree } from './llamaCppBuild.js'
import { repoRoot } from './paths.js'

/** Where the build is kept between runs (per checkout, like the generated test models). */
export const LLAMA_SERVER_CACHE = path.join(repoRoot, '.cache', 'llama-server')
/** Set to 1 to build llama-server when it is not cached yet (about 5 minutes on 8 cores, half an hour on 2 busy ones). */
export const BUILD_ENV = 'GRIDFORGE_LLAMA_SERVER'

/** Why llama-server cannot be built here, in one line; null when it can. */
function missingTools(bundle: string): string | null {
  if (!existsSync(bundle)) return `node-llama-cpp's llama.cpp source bundle is missing (${bundle})`
  for (const tool of ['git', 'cmake', 'c++']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0) return `${tool} is not installed`
  }
  return null
}

/**
 * The cached `llama-server` binary, built from node-llama-cpp's llama.cpp source when `build` is set
 * (CPU only, no web UI, nothing downloaded). Resolves with the binary or with the one line saying why
 * there is none.
 */
export async function llamaServerBinary(build = process.env[BUILD_ENV] === '1'): Promise<{ bin: string } | { skip: string }> {
  const bundle = llamaCppBundle()
  const missing = missingTools(bundle)
  if (missing) return { skip: `llama-server test skipped: ${missing}.` }
  const tree = await llamaCppTree(LLAMA_SERVER_CACHE, bundle)
  const bin = tree.tool('llama-server')
  if (existsSync(bin)) return { bin }
  if (!build)
    return { skip: `llama-server test skipped: not built yet (run with ${BUILD_ENV}=1 once to build it into .cache/llama-server).` }
  process.stderr.write(`building llama-server once (llama.cpp ${tree.commit}) into ${tree.buildDir}\n`)
  await buildLlamaCpp(
    tree,
    ['llama-server'],
    ['-DLLAMA_BUILD_TOOLS=ON', '-DLLAMA_BUILD_SERVER=ON', '-DLLAMA_BUILD_APP=OFF', '-DLLAMA_BUILD_UI=OFF', '-DLLAMA_USE_PREBUILT_UI=OFF'],
  )
  return existsSync(bin) ? { bin } : { skip: `llama-server test skipped: the build finished without ${bin}.` }
}

/** A running llama-server on 127.0.0.1. */
export interface LlamaServer {
  /** The OpenAI API root, `http://127.0.0.1:<port>/v1`. */
  url: string
  stop(): Promise<void>
}

/** Starts llama-server on `model` on a free loopback port and waits until /health says it is ready. */
export async function startLlamaServer(bin: string, model: string, extra: string[] = []): Promise<LlamaServer> {
  const port = await freePort()
  const child: ChildProcess = spawn(
    bin,
    ['-m', model, '--host', '127.0.0.1', '--port', String(port), '-c', '1024', '--parallel', '1', '-t', '1', '--no-webui', ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let log = ''
  child.stderr?.on('data', (piece: Buffer) => (log = (log + piece.toString()).slice(-4000)))
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`llama-server exited with ${child.exitCode}: ${log}`)
    try {
      const health = await fetch(`http://127.0.0.1:${port}/health`)
      if (health.ok) break
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`llama-server did not become ready in 60 s: ${log}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { url: `http://127.0.0.1:${port}/v1`, stop }
}
