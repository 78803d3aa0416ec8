import { spawn, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { EngineBuildStatus } from '../../src/shared/engineBuild.js'
import { EngineSupervisor } from '../../src/main/engine/engineSupervisor.js'
import { engineBuildPaths, MANIFEST_FILE } from '../../src/main/engine/engineBuildFiles.js'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import { cliEntry, engineEntry, repoRoot, requireBuild, tempDataDir } from '../support/paths.js'
import { testHost } from './hostHarness.js'

const temps: Array<{ cleanup: () => void }> = []
afterEach(() => {
  for (const temp of temps.splice(0)) temp.cleanup()
})

function dataDir() {
  const temp = tempDataDir()
  temps.push(temp)
  return { ...temp, paths: engineBuildPaths(temp.dir) }
}

function gridforge(dir: string, args: string[], env: NodeJS.ProcessEnv) {
  requireBuild()
  const child = spawn(process.execPath, [cliEntry, ...args, '--data-dir', dir], { env: { ...env, GRIDFORGE_GPU: 'off' } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  )
}

/** An engine started on `dir` as the shells start it, which generates a few tokens of the tiny model. */
async function engineGenerates(dir: string, model: string): Promise<number> {
  const engine = new EngineSupervisor({
    launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off', GRIDFORGE_DATA_DIR: dir }),
  })
  try {
    await engine.load(model)
    const result = await engine.generate({
      kind: 'completion',
      prompt: 'Once upon a time',
      params: { maxTokens: 8, temperature: 0, ignoreEos: true },
    })
    return result.completionTokens
  } finally {
    await engine.close()
  }
}

/** A folder holding only the commands named, found on this PATH: what a PC without the others has. */
function pathWith(commands: string[]): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'gridforge-path-'))
  for (const command of commands) {
    const found = execFileSync('sh', ['-c', `command -v ${command} || true`], { encoding: 'utf8' }).trim()
    if (found) symlinkSync(found, join(dir, command))
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

describe('Optimize the engine for this PC, through gridforge engine and the engine process', () => {
  it('says in one sentence that CMake is missing and leaves the standard engine in use', async () => {
    const { dir, model, paths } = dataDir()
    const bin = pathWith(['git', 'c++', 'g++'])
    temps.push(bin)
    const run = await gridforge(dir, ['engine', 'optimize'], { ...process.env, PATH: bin.dir })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^Optimizing the engine needs CMake, which this PC does not have: .*; the standard engine stays in use\.$/m)
    expect(existsSync(paths.choice)).toBe(false)
    const status = await gridforge(dir, ['engine', 'status', '--json'], process.env)
    expect(JSON.parse(status.stdout)).toMatchObject({ chosen: 'standard', build: null })
    expect(await engineGenerates(dir, model)).toBe(8)
  })

  it('falls back to the standard engine, and says why, when the optimized build does not load', async () => {
    const { dir, model, paths } = dataDir()
    mkdirSync(paths.optimized, { recursive: true })
    writeFileSync(join(paths.optimized, 'llama-addon.node'), 'not a shared library')
    const version = JSON.parse(readFileSync(join(repoRoot, 'node_modules', 'node-llama-cpp', 'package.json'), 'utf8')).version
    writeFileSync(
      join(paths.optimized, MANIFEST_FILE),
      JSON.stringify({
        nodeLlamaCpp: version,
        llamaCppRelease: 'v0',
        llamaCppRepo: 'ggml-org/llama.cpp',
        platform: process.platform,
        arch: process.arch,
        cmakeOptions: {},
        builtAt: new Date().toISOString(),
        buildSeconds: 1,
        verifiedWith: null,
      }),
    )
    writeFileSync(paths.choice, JSON.stringify({ flavor: 'optimized' }))
    expect(await engineGenerates(dir, model)).toBe(8)
    const running = JSON.parse(readFileSync(paths.running, 'utf8'))
    expect(running.flavor).toBe('standard')
    expect(running.note).toMatch(
      /^The optimized engine failed to load \(.+\); using the standard engine until it is optimized again in Settings\.$/,
    )
    expect(existsSync(paths.loading)).toBe(false)

    // A load that crashed the process leaves its marker: the next start does not try again.
    writeFileSync(paths.loading, '1')
    expect(await engineGenerates(dir, model)).toBe(8)
    expect(JSON.parse(readFileSync(paths.running, 'utf8')).note).toMatch(/crashed the engine while loading/)
    const status = await gridforge(dir, ['engine', 'status', '--json'], process.env)
    expect(JSON.parse(status.stdout)).toMatchObject({ chosen: 'optimized', running: { flavor: 'standard' } })
  })

  it('answers Settings › Engine through the host: the standard engine runs, and there is no optimized one to switch to yet', async () => {
    const temp = dataDir()
    const host = testHost(temp, { launchEngineWith: (env) => forkLauncher(engineEntry, { ...env, GRIDFORGE_GPU: 'off' }) })
    try {
      const status = await host.dispatch('engine.buildStatus', {})
      expect(status).toEqual({
        ok: true,
        value: { chosen: 'standard', running: null, build: null, task: null, outcome: null, unavailable: null },
      })
      expect(await host.dispatch('engine.useBuild', { flavor: 'optimized' })).toEqual({
        ok: false,
        error: { code: 'NOT_FOUND', message: 'There is no optimized engine on this PC yet; optimize it first.' },
      })
      expect((await host.dispatch('engine.useBuild', { flavor: 'fastest' })).ok).toBe(false)
    } finally {
      await host.close()
    }
    const cli = testHost(dataDir())
    try {
      const status = await cli.dispatch('engine.buildStatus', {})
      expect(status.ok && (status.value as EngineBuildStatus).unavailable).toMatch(
        /offered in the desktop app, gridforge serve and gridforge engine optimize/,
      )
    } finally {
      await cli.close()
    }
  })

  // The real build takes tens of minutes on 2 cores: `npm run bench -- --reference` measures it; opt in here.
  it.runIf(process.env.GRIDFORGE_TEST_ENGINE_BUILD === '1')(
    'builds the engine for this PC, checks it on the model, and the next engine start loads it',
    async () => {
      const { dir, model, paths } = dataDir()
      const run = await gridforge(dir, ['engine', 'optimize', '--model', model], process.env)
      expect(run.stderr).toMatch(/The engine was built for this PC in \d+ min and generated with stories260K\.gguf/)
      expect(run.code).toBe(0)
      expect(await engineGenerates(dir, model)).toBe(8)
      expect(JSON.parse(readFileSync(paths.running, 'utf8'))).toEqual({ flavor: 'optimized', note: null })
    },
    3_600_000,
  )
})
