#!/usr/bin/env node
// Puts an Electron-ABI build of better-sqlite3 in build/native/<platform>-<arch>/better_sqlite3.node,
// for `npm run dist` (shipped through electron-builder's extraResources) and for `npm start` (loaded
// through better-sqlite3's nativeBinding option). node_modules keeps its Node-ABI build untouched, so
// `npm test` and `gridforge serve` never break after running the desktop app, and the other way round.
//
// It works on a copy of the package in a temporary folder: first the prebuilt binary the better-sqlite3
// project publishes for this Electron version (prebuild-install), then, if there is none, a compile
// against Electron's headers (@electron/rebuild). Both need the internet or a cache; nothing else does.
// Without either it prints one sentence and exits 1, so `npm run dist` stops before electron-builder.
//
// One architecture per run, the machine's own by default: node-llama-cpp's binaries install only for it,
// so each installer is built on a machine of its architecture (.github/workflows/release.yml).
//
// Usage: node scripts/prepare-native.js [--platform linux|darwin|win32] [--arch x64|arm64] [--force]
// Environment: npm_config_better_sqlite3_binary_host (prebuilt mirror), ELECTRON_REBUILD_DIST_URL (headers).
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { homedir, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ADDON, binaryArch } from './packaging/binaryArch.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const DEFAULT_HEADERS_URL = 'https://www.electronjs.org/headers'

function option(name) {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? undefined : process.argv[index + 1]
}

const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version
const sqliteDir = join(root, 'node_modules', 'better-sqlite3')
const sqliteVersion = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')).version
const platform = option('platform') ?? process.platform
const arch = option('arch') ?? process.arch
const force = process.argv.includes('--force')
const headersUrl = process.env.ELECTRON_REBUILD_DIST_URL || DEFAULT_HEADERS_URL
const target = `Electron ${electronVersion} ${platform}-${arch}`

/** A throwaway app folder holding a copy of better-sqlite3, so node_modules is never rebuilt in place. */
function scratchCopy() {
  const app = mkdtempSync(join(tmpdir(), 'gridforge-native-'))
  const pkg = join(app, 'node_modules', 'better-sqlite3')
  mkdirSync(pkg, { recursive: true })
  for (const entry of ['package.json', 'binding.gyp', 'lib', 'src', 'deps']) {
    if (existsSync(join(sqliteDir, entry))) cpSync(join(sqliteDir, entry), join(pkg, entry), { recursive: true })
  }
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'native-scratch', version: '1.0.0', dependencies: { 'better-sqlite3': sqliteVersion } }),
  )
  return { app, pkg }
}

/** prebuild-install's own output is noise when it fails (no binary is a normal outcome); it is shown only with --verbose. */
function viaPrebuild(pkg) {
  const bin = require.resolve('prebuild-install/bin.js')
  const args = [bin, '--runtime', 'electron', '--target', electronVersion, '--arch', arch, '--platform', platform]
  const verbose = process.argv.includes('--verbose')
  const result = spawnSync(process.execPath, verbose ? [...args, '--verbose'] : args, {
    cwd: pkg,
    stdio: verbose ? 'inherit' : 'ignore',
    timeout: 300_000,
  })
  return result.status === 0
}

/** Where node-gyp keeps the headers it downloaded (env-paths' cache folder, or npm_config_devdir). */
function cachedHeaders() {
  const base =
    process.env.npm_config_devdir ||
    (process.platform === 'darwin'
      ? join(homedir(), 'Library', 'Caches', 'node-gyp')
      : process.platform === 'win32'
        ? join(process.env.LOCALAPPDATA || join(homedir(), 'AppData', 'Local'), 'node-gyp', 'Cache')
        : join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'node-gyp'))
  return existsSync(join(base, electronVersion, 'include', 'node', 'node.h'))
}

async function headersReachable() {
  try {
    const response = await fetch(`${headersUrl}/v${electronVersion}/SHASUMS256.txt`, {
      method: 'HEAD',
      signal: AbortSignal.timeout(20_000),
    })
    return response.ok
  } catch {
    return false
  }
}

async function viaRebuild(app) {
  const { rebuild } = await import('@electron/rebuild')
  await rebuild({
    buildPath: app,
    electronVersion,
    arch,
    headerURL: headersUrl,
    onlyModules: ['better-sqlite3'],
    force: true,
    buildFromSource: true,
  })
}

/** A reason this build cannot get the addon, told in one sentence without a stack trace. */
class Refusal extends Error {}

function fail(sentence) {
  throw new Refusal(sentence)
}

const outDir = join(root, 'build', 'native', `${platform}-${arch}`)
const stampFile = join(outDir, 'versions.json')
const stamp = JSON.stringify({ electron: electronVersion, betterSqlite3: sqliteVersion })
if (!force && existsSync(join(outDir, ADDON)) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
  console.log(`better-sqlite3 for ${target} is already in ${outDir}`)
  process.exit(0)
}

const { app, pkg } = scratchCopy()
try {
  const built = join(pkg, 'build', 'Release', ADDON)
  if (!viaPrebuild(pkg)) {
    if (platform !== process.platform || arch !== process.arch) {
      fail(
        `There is no prebuilt better-sqlite3 for ${target} to download, and it can only be compiled on a ${platform}-${arch} machine: build this installer there.`,
      )
    }
    if (!cachedHeaders() && !(await headersReachable())) {
      fail(
        `Cannot get better-sqlite3 for ${target}: no prebuilt binary could be downloaded and the Electron headers are neither cached nor reachable at ${headersUrl}, so connect this machine to the internet and run it again.`,
      )
    }
    console.log(`No prebuilt better-sqlite3 for ${target}; compiling it against the Electron headers.`)
    await viaRebuild(app).catch((error) =>
      fail(`Compiling better-sqlite3 for ${target} failed: ${String(error?.message ?? error).split('\n')[0]}`),
    )
  }
  const builtArch = existsSync(built) ? binaryArch(readFileSync(built)) : null
  if (builtArch !== `${platform}-${arch}`) {
    fail(`The better-sqlite3 obtained for ${target} is built for ${builtArch ?? 'nothing loadable'}, so it was not kept.`)
  }
  mkdirSync(outDir, { recursive: true })
  cpSync(built, join(outDir, ADDON))
  writeFileSync(stampFile, stamp)
  console.log(`better-sqlite3 for ${target} → ${join(outDir, ADDON)}`)
} catch (error) {
  if (!(error instanceof Refusal)) throw error
  console.error(error.message)
  process.exitCode = 1
} finally {
  rmSync(app, { recursive: true, force: true })
}
