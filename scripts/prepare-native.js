#!/usr/bin/env node
// Puts an Electron-ABI build of better-sqlite3 in build/native/<platform>-<arch>/better_sqlite3.node,
// for `npm run dist` (shipped through electron-builder's extraResources) and for `npm start` (loaded
// through better-sqlite3's nativeBinding option). node_modules keeps its Node-ABI build untouched, so
// `npm test` and `gridforge serve` never break after running the desktop app, and the other way round.
//
// It works on a copy of the package in a temporary folder: first the prebuilt binary the better-sqlite3
// project publishes for this Electron version (prebuild-install), then, if there is none, a compile
// against Electron's headers (@electron/rebuild). Both need the internet; nothing else does.
//
// Usage: node scripts/prepare-native.js [--platform linux|darwin|win32] [--arch x64[,arm64]] [--force]
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const ADDON = 'better_sqlite3.node'

function option(name) {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? undefined : process.argv[index + 1]
}

const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version
const sqliteDir = join(root, 'node_modules', 'better-sqlite3')
const sqliteVersion = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')).version
const platform = option('platform') ?? process.platform
// macOS releases are built for both architectures on one machine (electron-builder.yml: dmg/zip arm64 + x64).
const arches = (option('arch') ?? (platform === 'darwin' ? 'arm64,x64' : process.arch)).split(',')
const force = process.argv.includes('--force')

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

function viaPrebuild(pkg, arch) {
  const bin = require.resolve('prebuild-install/bin.js')
  const args = [bin, '--runtime', 'electron', '--target', electronVersion, '--arch', arch, '--platform', platform, '--verbose']
  const result = spawnSync(process.execPath, args, { cwd: pkg, stdio: 'inherit', timeout: 300_000 })
  return result.status === 0
}

async function viaRebuild(app, arch) {
  const { rebuild } = await import('@electron/rebuild')
  await rebuild({ buildPath: app, electronVersion, arch, onlyModules: ['better-sqlite3'], force: true, buildFromSource: true })
  return true
}

let failed = false
for (const arch of arches) {
  const outDir = join(root, 'build', 'native', `${platform}-${arch}`)
  const stampFile = join(outDir, 'versions.json')
  const stamp = JSON.stringify({ electron: electronVersion, betterSqlite3: sqliteVersion })
  if (!force && existsSync(join(outDir, ADDON)) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    console.log(`better-sqlite3 for Electron ${electronVersion} ${platform}-${arch} is already in ${outDir}`)
    continue
  }
  const { app, pkg } = scratchCopy()
  try {
    let ok = viaPrebuild(pkg, arch)
    if (!ok && platform === process.platform) {
      console.log('No prebuilt binary; compiling against the Electron headers instead.')
      ok = await viaRebuild(app, arch).catch((error) => {
        console.error(String(error?.message ?? error))
        return false
      })
    }
    const built = join(pkg, 'build', 'Release', ADDON)
    if (!ok || !existsSync(built)) {
      console.error(`Could not obtain better-sqlite3 for Electron ${electronVersion} (${platform}-${arch}); this step needs the internet.`)
      failed = true
      continue
    }
    mkdirSync(outDir, { recursive: true })
    cpSync(built, join(outDir, ADDON))
    writeFileSync(stampFile, stamp)
    console.log(`better-sqlite3 for Electron ${electronVersion} ${platform}-${arch} → ${join(outDir, ADDON)}`)
  } finally {
    rmSync(app, { recursive: true, force: true })
  }
}
process.exit(failed ? 1 : 0)
