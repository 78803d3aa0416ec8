import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { EngineBuildStatus, EngineBuildStep } from '../../shared/engineBuild.js'
import { EngineBuildService } from '../engine/engineBuildService.js'
import { smallestModel } from '../engine/engineBuildVerify.js'
import { forkLauncher } from '../engine/forkLauncher.js'
import { dataPaths } from '../host/dataDir.js'
import { resolveModelArgument } from './modelArgument.js'
import { UsageError } from './usage.js'

/** Options of `gridforge engine`. */
export interface EngineCommandOptions {
  dataDir: string
  args: string[]
  /** The model the build's check generates with (default: the smallest model in the models folder). */
  model?: string
  json?: boolean
  engineEntry: string
  env?: NodeJS.ProcessEnv
  out?: (text: string) => void
  err?: (text: string) => void
}

const STEP_TEXT: Record<EngineBuildStep, string> = {
  checking: 'checking the build tools',
  preparing: 'unpacking the llama.cpp source that comes with GridForge',
  configuring: 'configuring the build for this PC',
  compiling: 'compiling',
  verifying: 'checking the new engine: loading a model and generating a few tokens',
}

function modelFiles(modelsDir: string) {
  if (!existsSync(modelsDir)) return []
  return readdirSync(modelsDir)
    .filter((name) => name.toLowerCase().endsWith('.gguf'))
    .map((name) => join(modelsDir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, sizeBytes: statSync(path).size, present: true }))
}

function describe(status: EngineBuildStatus): string {
  const lines = [`chosen engine: ${status.chosen}`]
  if (status.running) lines.push(`running engine: ${status.running.flavor}${status.running.note ? ` (${status.running.note})` : ''}`)
  if (status.build) {
    lines.push(
      `optimized build: ${status.build.options.join(' ')}, built ${status.build.builtAt} in ${status.build.buildSeconds} s, checked with ${status.build.verifiedWith ?? 'no model'}`,
    )
  } else lines.push('optimized build: none')
  if (status.unavailable) lines.push(status.unavailable)
  return lines.join('\n')
}

/**
 * `gridforge engine status|optimize|use standard|optimized`: the CLI side of "Optimize the engine for this PC".
 * The choice applies at the next start of the engine (the app, serve or a worker).
 */
export async function engineCommand(options: EngineCommandOptions): Promise<void> {
  const out = options.out ?? ((text) => process.stdout.write(text))
  const err = options.err ?? ((text) => process.stderr.write(text))
  const modelsDir = dataPaths(options.dataDir).models
  const model = options.model ? resolveModelArgument(options.model, modelsDir) : null
  const service = new EngineBuildService({
    dataDir: options.dataDir,
    launchWith: (env) => forkLauncher(options.engineEntry, env),
    verificationModel: async () => model ?? smallestModel(modelFiles(modelsDir)),
    engineGpu: () => null,
    env: options.env,
  })
  const [action, flavor] = options.args
  const print = (status: EngineBuildStatus) => out(options.json ? `${JSON.stringify(status)}\n` : `${describe(status)}\n`)
  switch (action) {
    case undefined:
    case 'status':
      return print(service.status())
    case 'use':
      if (flavor !== 'standard' && flavor !== 'optimized') throw new UsageError('gridforge engine use takes standard or optimized.')
      service.choose(flavor)
      return print(service.status())
    case 'optimize': {
      let shown: string | null = null
      service.subscribe((_name, status) => {
        if (!status.task) return
        const { step, progress } = status.task
        // Tenths of the compile, so a terminal log stays short.
        const line = progress === null ? STEP_TEXT[step] : `${STEP_TEXT[step]} ${Math.floor(progress * 10) * 10} %`
        if (line !== shown) err(`${line}\n`)
        shown = line
      })
      const status = await service.run()
      if (status.outcome) err(`${status.outcome.message}\n`)
      if (options.json) print(status)
      if (!status.outcome?.ok) process.exitCode = 1
      return
    }
    default:
      throw new UsageError(`Unknown engine action "${action}": use status, optimize or use standard|optimized.`)
  }
}
