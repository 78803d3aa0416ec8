/**
 * What "Optimize the engine for this PC" builds: node-llama-cpp's own addon and the llama.cpp it ships, for
 * this CPU (`GGML_NATIVE`) and with OpenMP's thread pool (`GGML_OPENMP`). The prebuilt binaries are made for
 * every CPU of a family (dynamically loaded variants) and start fresh ggml threads for each decode.
 */
export const OPTIMIZED_CMAKE_OPTIONS: Readonly<Record<string, string>> = {
  GGML_NATIVE: 'ON',
  GGML_OPENMP: 'ON',
  GGML_METAL: 'OFF',
  GGML_CCACHE: 'OFF',
  GGML_BUILD_NUMBER: '1',
  // node-llama-cpp's own build leaves these out: the addon downloads nothing and serves nothing.
  LLAMA_CURL: 'OFF',
  LLAMA_OPENSSL: 'OFF',
  LLAMA_BUILD_BORINGSSL: 'OFF',
  LLAMA_BUILD_TESTS: 'OFF',
  LLAMA_BUILD_EXAMPLES: 'OFF',
  LLAMA_BUILD_TOOLS: 'OFF',
  LLAMA_BUILD_SERVER: 'OFF',
}

/** The options as a manifest and the Settings list them. */
export function optionList(options: Readonly<Record<string, string>> = OPTIMIZED_CMAKE_OPTIONS): string[] {
  return ['GGML_NATIVE', 'GGML_OPENMP'].filter((name) => options[name] === 'ON').map((name) => `${name}=ON`)
}

export interface ConfigureInput {
  sourceDir: string
  buildDir: string
  platform: NodeJS.Platform
  arch: string
  /** Ninja builds in fewer, clearer steps when it is there; otherwise CMake's default generator. */
  ninja: boolean
  /** node-api-headers and node-addon-api: what cmake-js would hand the addon's CMakeLists as CMAKE_JS_INC. */
  includeDirs: string[]
}

/** `cmake` arguments of the configure step. */
export function configureArgs(input: ConfigureInput): string[] {
  const platformName = input.platform === 'darwin' ? 'mac' : input.platform === 'win32' ? 'win' : input.platform
  const defines: Record<string, string> = {
    CMAKE_BUILD_TYPE: 'Release',
    CMAKE_JS_INC: input.includeDirs.join(';'),
    NLC_CURRENT_PLATFORM: `${platformName}-${input.arch}`,
    NLC_TARGET_PLATFORM: `${platformName}-${input.arch}`,
    ...OPTIMIZED_CMAKE_OPTIONS,
  }
  // A Node-API addon takes node's symbols from the process that loads it (Electron or Node).
  if (input.platform === 'darwin') defines.CMAKE_SHARED_LINKER_FLAGS = '-undefined dynamic_lookup'
  return [
    '-S',
    input.sourceDir,
    '-B',
    input.buildDir,
    ...(input.ninja ? ['-G', 'Ninja'] : []),
    ...Object.entries(defines).map(([name, value]) => `-D${name}=${value}`),
  ]
}

/** `cmake` arguments of the compile step. */
export function compileArgs(buildDir: string, jobs: number): string[] {
  return ['--build', buildDir, '--config', 'Release', '--target', 'llama-addon', '--parallel', String(Math.max(1, jobs))]
}

/** The fraction of the compile a build-tool line reports: Ninja's `[12/148]`, Make's `[ 45%]`; null for other lines. */
export function compileProgress(line: string): number | null {
  const steps = /^\[(\d+)\/(\d+)\]/.exec(line)
  if (steps) return Math.min(1, Number(steps[1]) / Math.max(1, Number(steps[2])))
  const percent = /^\[\s*(\d+)%\]/.exec(line)
  if (percent) return Math.min(1, Number(percent[1]) / 100)
  return null
}

export interface BuildTools {
  cmake: boolean
  git: boolean
  /** The C++ compiler found on the PATH, or null. */
  compiler: string | null
  ninja: boolean
}

/** One sentence naming what to install, or null when everything needed is there. */
export function missingToolsSentence(tools: BuildTools, platform: NodeJS.Platform): string | null {
  const missing = [!tools.cmake && 'CMake', !tools.compiler && 'a C++ compiler', !tools.git && 'Git'].filter(
    (name): name is string => typeof name === 'string',
  )
  if (missing.length === 0) return null
  const list = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)}`
  const how =
    platform === 'darwin'
      ? 'install the Xcode command line tools (xcode-select --install) and CMake (brew install cmake)'
      : platform === 'linux'
        ? 'install them (Debian and Ubuntu: sudo apt install cmake build-essential git; Fedora: sudo dnf install cmake gcc-c++ git)'
        : 'install them'
  return `Optimizing the engine needs ${list}, which this PC does not have: ${how}, then try again; the standard engine stays in use.`
}

/** Why optimizing is not offered here, or null. */
export function unavailableReason(platform: NodeJS.Platform, engineGpu: string | null): string | null {
  if (platform === 'win32') return 'Optimizing the engine is not available on Windows yet; the standard engine is in use.'
  if (engineGpu) {
    return `The engine runs on the GPU (${engineGpu}); a build for this PC's processor would be slower, so the standard engine stays.`
  }
  return null
}
