import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { EngineBuildStatus } from '../../src/shared/engineBuild.js'
import type { CompileOptions } from '../../src/main/engine/engineBuildCompile.js'
import { BuildStepError } from '../../src/main/engine/engineBuildCompile.js'
import { engineBuildPaths } from '../../src/main/engine/engineBuildFiles.js'
import { EngineBuildService, type EngineBuildDependencies } from '../../src/main/engine/engineBuildService.js'
import type { VerifyOutcome } from '../../src/main/engine/engineBuildVerify.js'
import type { EngineLauncher } from '../../src/main/engine/protocol.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const allTools = async () => ({ cmake: true, git: true, compiler: 'c++', ninja: true })

/** A compile that writes what a real one leaves (the addon and a library) and reports a few steps. */
async function fakeCompile(options: CompileOptions): Promise<void> {
  options.onStep('preparing', null)
  options.onStep('configuring', null)
  for (const progress of [0, 0.5, 1]) options.onStep('compiling', progress)
  mkdirSync(options.outDir, { recursive: true })
  writeFileSync(join(options.outDir, 'llama-addon.node'), 'addon')
  writeFileSync(join(options.outDir, 'libggml.so'), 'lib')
}

function setup(change: Partial<EngineBuildDependencies> = {}) {
  const dataDir = change.dataDir ?? mkdtempSync(join(tmpdir(), 'gridforge-engine-build-'))
  dirs.push(dataDir)
  const launches: NodeJS.ProcessEnv[] = []
  const verified: Array<string | null> = []
  let clock = 1_000_000
  const service = new EngineBuildService({
    dataDir,
    launchWith: (env) => {
      launches.push(env)
      return (() => {
        throw new Error('the fake verify never launches')
      }) as EngineLauncher
    },
    verificationModel: async () => '/models/tiny.gguf',
    engineGpu: () => null,
    findTools: allTools,
    compile: async (options) => {
      clock += 90_000
      await fakeCompile(options)
    },
    verify: async (_launch, model): Promise<VerifyOutcome> => {
      verified.push(model)
      return { ok: true, verifiedWith: 'tiny.gguf', tokens: 4 }
    },
    now: () => clock,
    ...change,
  })
  const seen: EngineBuildStatus[] = []
  service.subscribe((_name, status) => seen.push(status))
  return { dataDir, paths: engineBuildPaths(dataDir), service, launches, verified, seen }
}

describe('Optimize the engine for this PC', () => {
  it('builds, checks the build in an engine started on it, and makes it the engine of the next start', async () => {
    const { paths, service, launches, verified, seen } = setup()
    expect(service.status()).toMatchObject({ chosen: 'standard', build: null, task: null })
    const status = await service.run()
    expect(launches[0]?.GRIDFORGE_ENGINE_BUILD).toBe(paths.candidate)
    expect(verified).toEqual(['/models/tiny.gguf'])
    expect(status.chosen).toBe('optimized')
    expect(status.build).toMatchObject({ buildSeconds: 90, options: ['GGML_NATIVE=ON', 'GGML_OPENMP=ON'], verifiedWith: 'tiny.gguf' })
    expect(status.outcome).toEqual({
      ok: true,
      message: 'The engine was built for this PC in 2 min and generated with tiny.gguf; it is used from the next engine start.',
    })
    expect(existsSync(join(paths.optimized, 'llama-addon.node'))).toBe(true)
    expect(existsSync(paths.candidate)).toBe(false)
    expect(seen.map((s) => s.task?.step ?? 'done')).toEqual([
      'checking',
      'preparing',
      'configuring',
      'compiling',
      'compiling',
      'compiling',
      'verifying',
      'done',
    ])
  })

  it('names the missing tool in one sentence and changes nothing when CMake is not installed', async () => {
    const { paths, service } = setup({ findTools: async () => ({ cmake: false, git: true, compiler: 'c++', ninja: false }) })
    const status = await service.run()
    expect(status.outcome?.ok).toBe(false)
    expect(status.outcome?.message).toMatch(
      /^Optimizing the engine needs CMake, which this PC does not have: .*the standard engine stays in use\.$/,
    )
    expect(status.chosen).toBe('standard')
    expect(existsSync(paths.root)).toBe(false)
  })

  it('keeps the standard engine and says so when the compile fails', async () => {
    const { paths, service } = setup({
      compile: async () => {
        throw new BuildStepError('The engine did not compile; the log says why (exit code 1)')
      },
    })
    const status = await service.run()
    expect(status.outcome?.message).toBe(
      `The engine did not compile; the log says why (exit code 1); the standard engine stays in use (build log: ${paths.log}).`,
    )
    expect(status.chosen).toBe('standard')
    expect(existsSync(paths.choice)).toBe(false)
  })

  it('throws away a build that fails its check and keeps the earlier verified one in use', async () => {
    const { dataDir, paths, service } = setup()
    await service.run()
    const earlier = readFileSync(join(paths.optimized, 'gridforge-build.json'), 'utf8')
    const retry = setup({
      dataDir,
      verify: async () => ({
        ok: false,
        message:
          'The optimized engine failed its check: the engine process ended while using it (signal SIGILL); the standard engine stays in use.',
      }),
    }).service
    const status = await retry.run()
    expect(status.outcome?.message).toMatch(/failed its check: .*SIGILL/)
    expect(existsSync(paths.candidate)).toBe(false)
    expect(readFileSync(join(paths.optimized, 'gridforge-build.json'), 'utf8')).toBe(earlier)
    expect(status.chosen).toBe('optimized')
  })

  it('offers the way back: the standard engine, then the optimized one again without rebuilding', async () => {
    const { paths, service } = setup()
    expect(() => service.choose('optimized')).toThrow(/no optimized engine on this PC yet/)
    await service.run()
    writeFileSync(paths.loading, '123')
    expect(service.choose('standard')).toMatchObject({
      chosen: 'standard',
      outcome: { ok: true, message: 'The standard engine is used from the next engine start.' },
    })
    expect(existsSync(paths.loading)).toBe(false)
    expect(service.choose('optimized').chosen).toBe('optimized')
  })

  it('runs one build at a time: a second press joins the one under way', async () => {
    let compiles = 0
    const { service } = setup({
      compile: async (options) => {
        compiles++
        await fakeCompile(options)
      },
    })
    const first = service.run()
    expect(service.begin().task?.step).toBe('checking')
    expect(() => service.choose('standard')).toThrow(/being optimized/)
    await first
    expect(compiles).toBe(1)
  })

  it('is not offered while the engine runs on a GPU', async () => {
    const { service } = setup({ engineGpu: () => 'cuda' })
    expect(service.status().unavailable).toMatch(/runs on the GPU \(cuda\)/)
    expect((await service.run()).outcome?.ok).toBe(false)
  })
})
