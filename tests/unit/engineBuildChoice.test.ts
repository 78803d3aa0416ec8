import { describe, expect, it } from 'vitest'
import { decideEngineBuild, loadFailedNote, type EngineBuildFacts } from '../../src/main/engine/engineBuildChoice.js'
import type { BuildManifest } from '../../src/main/engine/engineBuildFiles.js'
import { compileProgress, configureArgs, missingToolsSentence, unavailableReason } from '../../src/main/engine/engineBuildPlan.js'

const manifest: BuildManifest = {
  nodeLlamaCpp: '3.22.1',
  llamaCppRelease: 'v0.5.0',
  llamaCppRepo: 'ggml-org/llama.cpp',
  platform: 'linux',
  arch: 'x64',
  cmakeOptions: { GGML_OPENMP: 'ON', GGML_NATIVE: 'ON' },
  builtAt: '2026-12-01T16:00:00.000Z',
  buildSeconds: 1500,
  verifiedWith: 'stories260K.gguf',
}

const facts = (change: Partial<EngineBuildFacts> = {}): EngineBuildFacts => ({
  forcedDir: null,
  choice: { flavor: 'optimized' },
  optimizedDir: '/data/engine/optimized',
  manifest,
  crashedLastTime: false,
  current: { nodeLlamaCpp: '3.22.1', platform: 'linux', arch: 'x64' },
  ...change,
})

describe('which engine an engine start loads', () => {
  it('loads the optimized build the user chose when it was made for this node-llama-cpp and this PC', () => {
    expect(decideEngineBuild(facts())).toEqual({ use: 'optimized', dir: '/data/engine/optimized', strict: false })
  })

  it('loads the standard engine, without a note, where the user never chose the optimized one or went back', () => {
    expect(decideEngineBuild(facts({ choice: null }))).toEqual({ use: 'standard', note: null })
    expect(decideEngineBuild(facts({ choice: { flavor: 'standard' } }))).toEqual({ use: 'standard', note: null })
  })

  it('falls back with one sentence when the build is missing, from an older GridForge, for another machine, or crashed at load', () => {
    const notes = [
      decideEngineBuild(facts({ manifest: null })),
      decideEngineBuild(facts({ current: { nodeLlamaCpp: '3.23.0', platform: 'linux', arch: 'x64' } })),
      decideEngineBuild(facts({ current: { nodeLlamaCpp: '3.22.1', platform: 'linux', arch: 'arm64' } })),
      decideEngineBuild(facts({ crashedLastTime: true })),
    ].map((decision) => (decision.use === 'standard' ? decision.note : null))
    expect(notes[0]).toMatch(/missing or damaged/)
    expect(notes[1]).toMatch(/built for node-llama-cpp 3\.22\.1 and this GridForge has 3\.23\.0/)
    expect(notes[2]).toMatch(/built for linux-x64, not this linux-arm64/)
    expect(notes[3]).toMatch(/crashed the engine while loading/)
    for (const note of notes) {
      expect(note).toMatch(/using the standard engine until it is optimized again in Settings\.$/)
      expect(note?.split('. ')).toHaveLength(1)
    }
  })

  it('loads only the build under test in a verification run, whatever the data folder chose', () => {
    expect(
      decideEngineBuild(facts({ forcedDir: '/data/engine/candidate', choice: { flavor: 'standard' }, crashedLastTime: true })),
    ).toEqual({
      use: 'optimized',
      dir: '/data/engine/candidate',
      strict: true,
    })
  })

  it("says a load error's first line in its fallback sentence", () => {
    expect(loadFailedNote(new Error('invalid ELF header\n    at Module._extensions'))).toBe(
      'The optimized engine failed to load (invalid ELF header); using the standard engine until it is optimized again in Settings.',
    )
  })
})

describe('the build plan', () => {
  const tools = { cmake: true, git: true, compiler: 'c++', ninja: true }

  it('names exactly what is missing and how to install it, in one sentence', () => {
    expect(missingToolsSentence(tools, 'linux')).toBeNull()
    const noCmake = missingToolsSentence({ ...tools, cmake: false }, 'linux')
    expect(noCmake).toMatch(
      /^Optimizing the engine needs CMake, which this PC does not have: install them \(Debian and Ubuntu: sudo apt install cmake build-essential git/,
    )
    expect(noCmake).toMatch(/the standard engine stays in use\.$/)
    expect(missingToolsSentence({ cmake: false, git: false, compiler: null, ninja: false }, 'darwin')).toMatch(
      /needs CMake, a C\+\+ compiler and Git.*xcode-select --install/,
    )
  })

  it('builds for this CPU with OpenMP, the addon against Node-API headers, and the Mac addon without linking node', () => {
    const linux = configureArgs({
      sourceDir: '/w/src',
      buildDir: '/w/build',
      platform: 'linux',
      arch: 'x64',
      ninja: true,
      includeDirs: ['/h', '/a'],
    })
    expect(linux.slice(0, 6)).toEqual(['-S', '/w/src', '-B', '/w/build', '-G', 'Ninja'])
    expect(linux).toEqual(
      expect.arrayContaining(['-DGGML_NATIVE=ON', '-DGGML_OPENMP=ON', '-DCMAKE_JS_INC=/h;/a', '-DNLC_CURRENT_PLATFORM=linux-x64']),
    )
    expect(linux.some((arg) => arg.startsWith('-DCMAKE_SHARED_LINKER_FLAGS'))).toBe(false)
    const mac = configureArgs({
      sourceDir: '/w/src',
      buildDir: '/w/build',
      platform: 'darwin',
      arch: 'arm64',
      ninja: false,
      includeDirs: ['/h'],
    })
    expect(mac).not.toContain('Ninja')
    expect(mac).toEqual(
      expect.arrayContaining(['-DCMAKE_SHARED_LINKER_FLAGS=-undefined dynamic_lookup', '-DNLC_TARGET_PLATFORM=mac-arm64']),
    )
  })

  it("reads the compile's progress from Ninja's and Make's lines only", () => {
    expect(compileProgress('[37/148] Building C object ggml/src/ggml.c.o')).toBeCloseTo(0.25, 2)
    expect(compileProgress('[ 45%] Building CXX object addon.cpp.o')).toBe(0.45)
    expect(compileProgress('/w/src/ggml.c:12: warning: unused [-Wunused]')).toBeNull()
  })

  it('is not offered against an engine on the GPU, nor on Windows', () => {
    expect(unavailableReason('linux', null)).toBeNull()
    expect(unavailableReason('linux', 'cuda')).toMatch(/runs on the GPU \(cuda\)/)
    expect(unavailableReason('win32', null)).toMatch(/not available on Windows/)
  })
})
