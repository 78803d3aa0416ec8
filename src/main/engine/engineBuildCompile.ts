import { spawn } from 'node:child_process'
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readdirSync, statSync, type WriteStream } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism, setPriority } from 'node:os'
import { dirname, join } from 'node:path'
import { compileArgs, compileProgress, configureArgs, type BuildTools } from './engineBuildPlan.js'
import { removePath } from './engineBuildFiles.js'

/** Where node-llama-cpp keeps what a source build needs: its addon's CMake project and llama.cpp as a git bundle. */
export interface BundledSource {
  /** node-llama-cpp's `llama/` folder. */
  llamaDir: string
  /** Include folders for the addon: node-api-headers and node-addon-api. */
  includeDirs: string[]
}

export function bundledSource(): BundledSource {
  const require = createRequire(import.meta.url)
  const llamaDir = join(dirname(require.resolve('node-llama-cpp')), '..', 'llama')
  const fromLlama = createRequire(join(llamaDir, 'package.json'))
  const headers = join(dirname(fromLlama.resolve('node-api-headers/package.json')), 'include')
  const addonApi = dirname(fromLlama.resolve('node-addon-api/package.json'))
  return { llamaDir, includeDirs: [headers, addonApi] }
}

/** Lower than the apps in use (nice 10). */
const BUILD_PRIORITY = 10

/** A build step's failure, with the sentence for the user; the log holds the compiler's own words. */
export class BuildStepError extends Error {}

/** Runs a tool, its output into the log, each line to `onLine`; rejects with `failure` when it fails. */
function runTool(
  command: string,
  args: string[],
  options: { cwd?: string; env: NodeJS.ProcessEnv; log: WriteStream; signal: AbortSignal; onLine?: (line: string) => void },
  failure: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    options.log.write(`$ ${command} ${args.join(' ')}\n`)
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal })
    // The compilers inherit cmake's priority: a build in the background must leave the PC usable.
    if (child.pid) setPriority(child.pid, BUILD_PRIORITY)
    let pending = ''
    const take = (chunk: Buffer) => {
      options.log.write(chunk)
      pending += chunk.toString('utf8')
      const lines = pending.split(/\r?\n/)
      pending = lines.pop() ?? ''
      for (const line of lines) options.onLine?.(line)
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    child.on('error', (error) => reject(options.signal.aborted ? error : new BuildStepError(`${failure} (${error.message})`)))
    child.on('close', (code, signal) => {
      if (code === 0) resolve()
      else reject(new BuildStepError(`${failure} (${signal ? `stopped by ${signal}` : `exit code ${code}`})`))
    })
  })
}

/** Whether `command --version` runs on this PATH. */
function answers(command: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, ['--version'], { env, stdio: 'ignore' })
    child.on('error', () => resolve(false))
    child.on('close', (code) => resolve(code === 0))
  })
}

/** The build tools on this PATH. */
export async function findBuildTools(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Promise<BuildTools> {
  const compilers = platform === 'darwin' ? ['clang++', 'c++'] : ['c++', 'g++', 'clang++']
  let compiler: string | null = null
  for (const candidate of compilers) {
    if (await answers(candidate, env)) {
      compiler = candidate
      break
    }
  }
  const [cmake, git, ninja] = await Promise.all([answers('cmake', env), answers('git', env), answers('ninja', env)])
  return { cmake, git, compiler, ninja }
}

/**
 * Copies with readdir and copyFile, which Electron's fs also serves from inside app.asar (a packaged app keeps
 * node-llama-cpp's sources there, where git and CMake cannot read them).
 */
function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true })
  for (const name of readdirSync(from)) {
    const source = join(from, name)
    if (statSync(source).isDirectory()) copyTree(source, join(to, name))
    else copyFileSync(source, join(to, name))
  }
}

/** The files of the addon's CMake project, beside which llama.cpp's source goes. */
const PROJECT_ENTRIES = ['CMakeLists.txt', 'package.json', 'addon', 'cmake', 'profiles']

/** The binaries a build leaves: the addon and the libraries it loads from its own folder ($ORIGIN). */
function isRuntimeFile(name: string): boolean {
  return name.endsWith('.node') || /\.so(\.|$)/.test(name) || name.endsWith('.dylib') || name.endsWith('.dll')
}

function collectBinaries(dir: string, into: string): number {
  let found = 0
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    const info = statSync(path)
    if (info.isDirectory()) {
      if (name !== 'CMakeFiles') found += collectBinaries(path, into)
    } else if (isRuntimeFile(name)) {
      copyFileSync(path, join(into, name))
      found++
    }
  }
  return found
}

export interface CompileOptions {
  source: BundledSource
  tools: BuildTools
  workDir: string
  /** Receives the binaries; emptied first. */
  outDir: string
  logFile: string
  env: NodeJS.ProcessEnv
  signal: AbortSignal
  onStep(step: 'preparing' | 'configuring' | 'compiling', progress: number | null): void
  jobs?: number
  platform?: NodeJS.Platform
}

/** Builds the addon from the bundled source into `outDir`. Throws `BuildStepError` with the sentence to show. */
export async function compileEngine(options: CompileOptions): Promise<void> {
  const platform = options.platform ?? process.platform
  const { llamaDir, includeDirs } = options.source
  const sourceDir = join(options.workDir, 'src')
  const buildDir = join(options.workDir, 'build')
  mkdirSync(dirname(options.logFile), { recursive: true })
  const log = createWriteStream(options.logFile)
  const tool = { env: options.env, log, signal: options.signal }
  try {
    options.onStep('preparing', null)
    removePath(options.workDir)
    for (const entry of PROJECT_ENTRIES) {
      const from = join(llamaDir, entry)
      if (!existsSync(from)) continue
      if (statSync(from).isDirectory()) copyTree(from, join(sourceDir, entry))
      else copyFileSync(from, join(sourceDir, entry))
    }
    const bundle = join(options.workDir, 'llama.cpp.bundle')
    copyFileSync(join(llamaDir, 'gitRelease.bundle'), bundle)
    const cannotUnpack = 'The llama.cpp source that comes with GridForge could not be unpacked'
    await runTool('git', ['clone', '--quiet', bundle, join(sourceDir, 'llama.cpp')], tool, cannotUnpack)
    const patches = join(llamaDir, 'patches')
    for (const patch of existsSync(patches) ? readdirSync(patches).filter((name) => name.endsWith('.diff')) : []) {
      // node-llama-cpp applies its patches where they still apply and skips those llama.cpp has merged.
      const cwd = join(sourceDir, 'llama.cpp')
      const applies = await runTool('git', ['apply', '--check', join(patches, patch)], { ...tool, cwd }, '').then(
        () => true,
        () => false,
      )
      if (applies) await runTool('git', ['apply', join(patches, patch)], { ...tool, cwd }, `node-llama-cpp's patch ${patch} did not apply`)
    }

    options.onStep('configuring', null)
    const configure = configureArgs({ sourceDir, buildDir, platform, arch: process.arch, ninja: options.tools.ninja, includeDirs })
    await runTool('cmake', configure, tool, 'CMake could not configure the engine build; the log says why')

    options.onStep('compiling', 0)
    const jobs = options.jobs ?? availableParallelism()
    await runTool(
      'cmake',
      compileArgs(buildDir, jobs),
      {
        ...tool,
        onLine: (line) => {
          const progress = compileProgress(line)
          if (progress !== null) options.onStep('compiling', progress)
        },
      },
      'The engine did not compile; the log says why',
    )
    removePath(options.outDir)
    mkdirSync(options.outDir, { recursive: true })
    if (collectBinaries(buildDir, options.outDir) === 0 || !existsSync(join(options.outDir, 'llama-addon.node'))) {
      throw new BuildStepError('The build finished without the engine library (llama-addon.node)')
    }
  } finally {
    await new Promise((resolve) => log.end(resolve))
    removePath(options.workDir)
  }
}
