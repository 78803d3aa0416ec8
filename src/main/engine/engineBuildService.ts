import { existsSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { getModuleVersion } from 'node-llama-cpp'
import { z } from 'zod'
import type { EngineBuildStatus, EngineBuildStep, EngineFlavor } from '../../shared/engineBuild.js'
import { AppError } from '../../shared/result.js'
import { Emitter, type EventListener } from '../lib/emitter.js'
import { BuildStepError, bundledSource, compileEngine, findBuildTools, type CompileOptions } from './engineBuildCompile.js'
import {
  choiceSchema,
  engineBuildPaths,
  MANIFEST_FILE,
  manifestSchema,
  readJsonFile,
  removePath,
  runningSchema,
  writeJsonFile,
  type BuildManifest,
} from './engineBuildFiles.js'
import { missingToolsSentence, OPTIMIZED_CMAKE_OPTIONS, optionList, unavailableReason } from './engineBuildPlan.js'
import { verifyEngineBuild, type VerifyOutcome } from './engineBuildVerify.js'
import type { EngineLauncher } from './protocol.js'

export interface EngineBuildEvents {
  'engine.build': EngineBuildStatus
}

export interface EngineBuildDependencies {
  dataDir: string
  /** An engine launcher with extra environment: the verification starts the real engine on the new build. */
  launchWith: ((env: NodeJS.ProcessEnv) => EngineLauncher) | null
  /** The model file the verification generates with (a small local model), or null when there is none. */
  verificationModel: () => Promise<string | null>
  /** The running engine's GPU, or null for the CPU (a CPU build is not offered against a GPU engine). */
  engineGpu: () => string | null
  /** The PATH and the rest the build tools run with. */
  env?: NodeJS.ProcessEnv
  compile?: (options: CompileOptions) => Promise<void>
  findTools?: typeof findBuildTools
  verify?: (launch: EngineLauncher, model: string | null) => Promise<VerifyOutcome>
  log?: (line: string) => void
  now?: () => number
}

/**
 * "Optimize the engine for this PC": builds node-llama-cpp's addon from the source it ships, for this CPU and
 * with OpenMP, checks it in a real engine process, and makes it the engine of the next start; any failure
 * leaves the standard engine in use, said in one sentence. Owns the build's state and its `engine.build` event.
 */
export class EngineBuildService {
  private readonly events: Emitter<EngineBuildEvents>
  private readonly paths
  private task: EngineBuildStatus['task'] = null
  private outcome: EngineBuildStatus['outcome'] = null
  private running: Promise<EngineBuildStatus> | null = null
  private readonly abort = new AbortController()

  constructor(private readonly deps: EngineBuildDependencies) {
    this.events = new Emitter(deps.log)
    this.paths = engineBuildPaths(deps.dataDir)
  }

  subscribe(listener: EventListener<EngineBuildEvents>): () => void {
    return this.events.subscribe(listener)
  }

  status(): EngineBuildStatus {
    const manifest = this.manifest()
    return {
      chosen: readJsonFile(this.paths.choice, choiceSchema)?.flavor ?? 'standard',
      running: readJsonFile(this.paths.running, runningSchema),
      build: manifest && {
        builtAt: manifest.builtAt,
        buildSeconds: manifest.buildSeconds,
        options: optionList(manifest.cmakeOptions),
        verifiedWith: manifest.verifiedWith,
      },
      task: this.task,
      outcome: this.outcome,
      unavailable: this.unavailable(),
    }
  }

  /** Starts the optimization in the background (or joins the one under way) and answers at once. */
  begin(): EngineBuildStatus {
    void this.run()
    return this.status()
  }

  /** The optimization, to its end; the status it ends with. */
  run(): Promise<EngineBuildStatus> {
    this.running ??= this.optimize().finally(() => {
      this.running = null
    })
    return this.running
  }

  /** Which engine the next start loads. The optimized one only once a build has passed its check. */
  choose(flavor: EngineFlavor): EngineBuildStatus {
    if (this.running) throw new AppError('BUSY', 'The engine is being optimized; wait for it to finish.')
    if (flavor === 'optimized' && !this.manifest()) {
      throw new AppError('NOT_FOUND', 'There is no optimized engine on this PC yet; optimize it first.')
    }
    writeJsonFile(this.paths.choice, { flavor })
    // A new choice forgets an earlier crash while loading: the user asked for it again.
    rmSync(this.paths.loading, { force: true })
    this.outcome = {
      ok: true,
      message:
        flavor === 'standard'
          ? 'The standard engine is used from the next engine start.'
          : 'The optimized engine is used from the next engine start.',
    }
    return this.emit()
  }

  close(): void {
    this.abort.abort()
  }

  private unavailable(): string | null {
    if (!this.deps.launchWith) return 'Optimizing the engine is offered in the desktop app, gridforge serve and gridforge engine optimize.'
    return unavailableReason(process.platform, this.deps.engineGpu())
  }

  private manifest(): BuildManifest | null {
    return readJsonFile(join(this.paths.optimized, MANIFEST_FILE), manifestSchema)
  }

  private emit(): EngineBuildStatus {
    const status = this.status()
    this.events.emit('engine.build', status)
    return status
  }

  private step(step: EngineBuildStep, progress: number | null): void {
    const previous = this.task
    this.task = { step, progress }
    // Compile lines come by the hundred: the UI hears of each whole percent, not of each line.
    if (
      previous?.step === step &&
      progress !== null &&
      previous.progress !== null &&
      Math.floor(progress * 100) === Math.floor(previous.progress * 100)
    ) {
      return
    }
    this.emit()
  }

  private finish(ok: boolean, message: string): EngineBuildStatus {
    this.task = null
    this.outcome = { ok, message }
    this.deps.log?.(`engine build: ${message}`)
    return this.emit()
  }

  private async optimize(): Promise<EngineBuildStatus> {
    const now = this.deps.now ?? Date.now
    const env = this.deps.env ?? process.env
    this.outcome = null
    this.step('checking', null)
    const unavailable = this.unavailable()
    if (unavailable || !this.deps.launchWith) return this.finish(false, unavailable ?? '')
    const tools = await (this.deps.findTools ?? findBuildTools)(env)
    const missing = missingToolsSentence(tools, process.platform)
    if (missing) return this.finish(false, missing)

    const started = now()
    try {
      const source = bundledSource()
      await (this.deps.compile ?? compileEngine)({
        source,
        tools,
        workDir: this.paths.work,
        outDir: this.paths.candidate,
        logFile: this.paths.log,
        env,
        signal: this.abort.signal,
        onStep: (step, progress) => this.step(step, progress),
      })
      const release = readJsonFile(join(source.llamaDir, 'llama.cpp.info.json'), llamaCppInfoSchema)
      const manifest: BuildManifest = {
        nodeLlamaCpp: await getModuleVersion(),
        llamaCppRelease: release?.tag ?? 'unknown',
        llamaCppRepo: release?.llamaCppGithubRepo ?? 'unknown',
        platform: process.platform,
        arch: process.arch,
        cmakeOptions: { ...OPTIMIZED_CMAKE_OPTIONS },
        builtAt: new Date(now()).toISOString(),
        buildSeconds: Math.round((now() - started) / 1000),
        verifiedWith: null,
      }
      writeJsonFile(join(this.paths.candidate, MANIFEST_FILE), manifest)

      this.step('verifying', null)
      const model = await this.deps.verificationModel()
      const launch = this.deps.launchWith({ ...env, GRIDFORGE_ENGINE_BUILD: this.paths.candidate })
      const verified = await (this.deps.verify ?? verifyEngineBuild)(launch, model)
      if (!verified.ok) {
        removePath(this.paths.candidate)
        return this.finish(false, verified.message)
      }
      writeJsonFile(join(this.paths.candidate, MANIFEST_FILE), { ...manifest, verifiedWith: verified.verifiedWith })
      removePath(this.paths.optimized)
      renameSync(this.paths.candidate, this.paths.optimized)
      writeJsonFile(this.paths.choice, { flavor: 'optimized' })
      rmSync(this.paths.loading, { force: true })
      const minutes = Math.max(1, Math.round(manifest.buildSeconds / 60))
      const checked = verified.verifiedWith ? `generated with ${verified.verifiedWith}` : 'started (no model to generate with)'
      return this.finish(true, `The engine was built for this PC in ${minutes} min and ${checked}; it is used from the next engine start.`)
    } catch (error) {
      if (existsSync(this.paths.candidate)) removePath(this.paths.candidate)
      if (this.abort.signal.aborted) return this.finish(false, 'The engine build was stopped; the standard engine stays in use.')
      const message =
        error instanceof BuildStepError
          ? `${error.message}; the standard engine stays in use (build log: ${this.paths.log}).`
          : `The engine build failed (${error instanceof Error ? error.message : String(error)}); the standard engine stays in use.`
      return this.finish(false, message)
    }
  }
}

/** node-llama-cpp's note of the llama.cpp release it bundles. */
const llamaCppInfoSchema = z.object({ tag: z.string().optional(), llamaCppGithubRepo: z.string().optional() })
