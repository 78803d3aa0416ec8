import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { getModuleVersion, Llama, type LlamaLogLevel } from 'node-llama-cpp'
import { decideEngineBuild, loadFailedNote } from './engineBuildChoice.js'
import {
  choiceSchema,
  engineBuildPaths,
  MANIFEST_FILE,
  manifestSchema,
  readJsonFile,
  writeJsonFile,
  type BuildManifest,
  type RunningEngine,
} from './engineBuildFiles.js'

/** The getLlama options the engine uses, whichever binaries it loads. */
export interface LlamaStartOptions {
  maxThreads: number
  logLevel: LlamaLogLevel
}

/** node-llama-cpp's own factory behind getLlama; it takes a binding from any folder, where getLlama only looks inside node_modules. */
type LlamaFactory = (options: Record<string, unknown>) => Promise<Llama>

/** The same RAM headroom getLlama keeps by default (its `defaultLlamaRamPadding`). */
function ramPadding(totalRam: number): number {
  const cap = process.platform === 'linux' ? 1 : 6
  return Math.floor(Math.min(totalRam * 0.25, cap * 1024 ** 3))
}

async function loadBuild(dir: string, manifest: BuildManifest | null, options: LlamaStartOptions): Promise<Llama> {
  const factory = (Llama as unknown as { _create?: LlamaFactory })._create
  if (typeof factory !== 'function') throw new Error('this node-llama-cpp cannot load a build from another folder')
  const bindingPath = join(dir, 'llama-addon.node')
  if (!existsSync(bindingPath)) throw new Error(`${bindingPath} is missing`)
  const bindings: unknown = createRequire(import.meta.url)(bindingPath)
  return factory.call(Llama, {
    bindings,
    bindingPath,
    buildType: 'localBuild',
    buildMetadata: {
      buildOptions: {
        customCmakeOptions: manifest?.cmakeOptions ?? {},
        llamaCpp: { repo: manifest?.llamaCppRepo ?? 'unknown', release: manifest?.llamaCppRelease ?? 'unknown' },
        gpu: false,
      },
    },
    logLevel: options.logLevel,
    logger: Llama.defaultConsoleLogger,
    maxThreads: options.maxThreads,
    vramPadding: 0,
    ramPadding,
    skipLlamaInit: false,
    debug: false,
    numa: false,
    tempDir: false,
  })
}

/**
 * Loads the binaries chosen for this PC (see `decideEngineBuild`), or the standard ones through `standard`.
 * The choice and what was loaded live in the data folder (`GRIDFORGE_DATA_DIR`, set by the shells); without
 * one the engine is the standard one. A throw while loading the optimized build falls back at once; a crash
 * leaves the loading marker, so the next start falls back.
 */
export async function startChosenLlama(
  options: LlamaStartOptions,
  standard: () => Promise<Llama>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Llama> {
  const forcedDir = env.GRIDFORGE_ENGINE_BUILD || null
  const dataDir = env.GRIDFORGE_DATA_DIR || null
  if (!forcedDir && !dataDir) return standard()
  const paths = dataDir ? engineBuildPaths(dataDir) : null
  // A data folder where the engine was never optimized keeps no engine files at all.
  const record = (running: RunningEngine) => {
    if (paths && !forcedDir && existsSync(paths.choice)) writeJsonFile(paths.running, running)
  }
  const optimizedDir = forcedDir ?? paths?.optimized ?? ''
  const decision = decideEngineBuild({
    forcedDir,
    choice: paths ? readJsonFile(paths.choice, choiceSchema) : null,
    optimizedDir,
    manifest: readJsonFile(join(optimizedDir, MANIFEST_FILE), manifestSchema),
    crashedLastTime: paths ? existsSync(paths.loading) : false,
    current: { nodeLlamaCpp: await getModuleVersion(), platform: process.platform, arch: process.arch },
  })
  if (decision.use === 'standard') {
    record({ flavor: 'standard', note: decision.note })
    return standard()
  }
  const manifest = readJsonFile(join(decision.dir, MANIFEST_FILE), manifestSchema)
  if (decision.strict) return loadBuild(decision.dir, manifest, options)
  if (paths) writeFileSync(paths.loading, String(process.pid))
  try {
    const llama = await loadBuild(decision.dir, manifest, options)
    record({ flavor: 'optimized', note: null })
    if (paths) rmSync(paths.loading, { force: true })
    return llama
  } catch (error) {
    if (paths) rmSync(paths.loading, { force: true })
    const note = loadFailedNote(error)
    process.stderr.write(`engine: ${note}\n`)
    record({ flavor: 'standard', note })
    return standard()
  }
}
