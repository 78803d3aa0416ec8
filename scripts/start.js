#!/usr/bin/env node
// `npm start`: the desktop app where Electron can run; otherwise, in one sentence, why not, and the same
// UI served by `gridforge serve` for a browser.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const electronDir = join(root, 'node_modules', 'electron')

function electronBinary() {
  const pathFile = join(electronDir, 'path.txt')
  if (!existsSync(pathFile)) return null
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8'))
  return existsSync(binary) ? binary : null
}

/** Electron 45 downloads its runtime on first use; try once, briefly, and quietly. */
function obtainElectron() {
  if (!existsSync(join(electronDir, 'install.js'))) return null
  spawnSync(process.execPath, [join(electronDir, 'install.js')], { stdio: 'ignore', timeout: 120_000 })
  return electronBinary()
}

/**
 * The desktop app loads better-sqlite3 built for Electron from build/native (node_modules keeps the Node
 * build that tests and `gridforge serve` use); fetch it once if it is not there yet.
 */
function electronSqlite() {
  const addon = join(root, 'build', 'native', `${process.platform}-${process.arch}`, 'better_sqlite3.node')
  if (!existsSync(addon)) {
    spawnSync(process.execPath, [join(root, 'scripts', 'prepare-native.js')], { stdio: 'ignore', timeout: 300_000 })
  }
  return existsSync(addon)
}

function whyNoElectron() {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'there is no display' }
  }
  const binary = electronBinary() ?? obtainElectron()
  if (!binary) return { reason: 'the Electron runtime could not be downloaded' }
  if (!electronSqlite()) return { reason: 'better-sqlite3 for Electron could not be obtained (npm run prepare-native)' }
  return { binary }
}

const electron = whyNoElectron()
const args = process.argv.slice(2)
const child = electron.binary
  ? spawn(electron.binary, [root, ...args], { stdio: 'inherit' })
  : (() => {
      process.stderr.write(`The desktop app cannot start here because ${electron.reason}; serving the same UI in your browser instead.\n`)
      return spawn(process.execPath, [join(root, 'bin', 'gridforge.js'), 'serve', ...args], { stdio: 'inherit' })
    })()
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)))
