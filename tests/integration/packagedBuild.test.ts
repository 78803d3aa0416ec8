import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join, relative } from 'node:path'
import { listPackage } from '@electron/asar'
import { load } from 'js-yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { binaryArch } from '../../scripts/packaging/binaryArch.js'
import { ELECTRON_VERSION, installedVersion, linkedInstall, tempFolderBeside } from '../support/packaging.js'
import { repoRoot, requireBuild } from '../support/paths.js'

/**
 * `electron-builder --dir` for linux x64 and arm64 on a copy of the checkout, against a stand-in Electron
 * (an unpacked dist folder with a placeholder executable: nothing is downloaded) and stand-in Electron
 * addons (ELF headers of each arch: the real ones need the internet). What is checked is what
 * electron-builder.yml and its hooks put into the package, the way a release build would: the copy's
 * node_modules is a real folder (hard links to the installed one), as after `npm ci`.
 */
const SQLITE_VERSION = installedVersion('better-sqlite3')
const ELF_MACHINE = { x64: 0x3e, arm64: 0xb7 } as const
type Arch = keyof typeof ELF_MACHINE
/**
 * node-llama-cpp's Linux binaries installed here: both on Linux x64 (its linux-arm64 package installs there
 * for cross-building), only arm64 on Linux arm64, none on macOS and Windows runners.
 */
const LLAMA_ARCHES = (['x64', 'arm64'] as const).filter((arch) =>
  existsSync(join(repoRoot, 'node_modules', '@node-llama-cpp', `linux-${arch}`, 'package.json')),
)

let work: string
let project: string
/** The same project with node_modules as a symlink to the first one's, as in a git worktree sharing one install. */
let linkedProject: string
let output: string
let electronDist: string

/** A 64-byte little-endian ELF64 shared-object header for the arch, plus a marker to recognise this copy. */
function standInAddon(arch: Arch): Buffer {
  const bytes = Buffer.alloc(96)
  bytes.writeUInt32BE(0x7f454c46, 0)
  bytes[4] = 2
  bytes[5] = 1
  bytes[6] = 1
  bytes.writeUInt16LE(3, 16)
  bytes.writeUInt16LE(ELF_MACHINE[arch], 18)
  bytes.write(`stand-in better_sqlite3 for Electron linux-${arch}`, 64, 'latin1')
  return bytes
}

function placeAddon(arch: Arch, root = project): void {
  const dir = join(root, 'build', 'native', `linux-${arch}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'better_sqlite3.node'), standInAddon(arch))
  writeFileSync(join(dir, 'versions.json'), JSON.stringify({ electron: ELECTRON_VERSION, betterSqlite3: SQLITE_VERSION }))
}

function electronBuilder(args: string[], root = project, out = output): { status: number | null; output: string } {
  const cli = join(root, 'node_modules', 'electron-builder', 'cli.js')
  const result = spawnSync(
    process.execPath,
    [
      cli,
      '--linux',
      'dir',
      ...args,
      '--publish',
      'never',
      `-c.electronDist=${electronDist}`,
      `-c.electronVersion=${ELECTRON_VERSION}`,
      `-c.directories.output=${out}`,
    ],
    // The hooks in electron-builder.yml are found relative to the working directory. Hard links instead of copies
    // of the GPU libraries (600 MB for x64): electron-builder copies any file whose permissions it changes.
    { cwd: root, encoding: 'utf8', timeout: 240_000, env: { ...process.env, CI: '', USE_HARD_LINKS: 'true' } },
  )
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).replaceAll('\\', '/'))
}

function copyCheckout(root: string): void {
  for (const entry of ['package.json', 'electron-builder.yml', 'scripts', 'out', 'resources']) {
    cpSync(join(repoRoot, entry), join(root, entry), { recursive: true })
  }
  // What a checkout also holds and no installer may carry.
  for (const file of ['tests/fixtures/models/stories260K.gguf', 'bench/index.ts', 'src/main/cli.ts']) {
    mkdirSync(join(root, file, '..'), { recursive: true })
    cpSync(join(repoRoot, file), join(root, file))
  }
}

beforeAll(() => {
  requireBuild()
  if (LLAMA_ARCHES.length === 0)
    process.stdout.write('Linux packaging skipped: no @node-llama-cpp/linux-* binaries are installed on this OS.\n')
  const installed = realpathSync(join(repoRoot, 'node_modules'))
  work = tempFolderBeside(installed, 'gridforge-pack-')
  project = join(work, 'project')
  linkedProject = join(work, 'linked')
  output = join(work, 'dist')
  electronDist = join(work, 'electron')
  mkdirSync(join(electronDist, 'locales'), { recursive: true })
  writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\nexit 0\n')
  chmodSync(join(electronDist, 'electron'), 0o755)
  writeFileSync(join(electronDist, 'locales', 'en-US.pak'), '')
  writeFileSync(join(electronDist, 'LICENSE'), 'stand-in')
  copyCheckout(project)
  // Without Linux llama.cpp binaries only the refusal before packaging runs, and it collects no dependencies.
  if (LLAMA_ARCHES.length === 0) return symlinkSync(installed, join(project, 'node_modules'), 'junction')
  linkedInstall(installed, join(project, 'node_modules'))
  copyCheckout(linkedProject)
  symlinkSync(join(project, 'node_modules'), join(linkedProject, 'node_modules'), 'junction')
})

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('electron-builder --dir for Linux', () => {
  it('refuses an arm64 package without an arm64 Electron addon, in one sentence and before packaging', () => {
    const result = electronBuilder(['--arm64'])
    expect(result.status).not.toBe(0)
    expect(result.output).toContain(
      `There is no better-sqlite3 for Electron linux-arm64 in ${join(project, 'build', 'native', 'linux-arm64')}, so this installer is not built`,
    )
    expect(existsSync(join(output, 'linux-arm64-unpacked', 'resources', 'app.asar'))).toBe(false)
  }, 240_000)

  it.skipIf(LLAMA_ARCHES.length === 0)(
    `packages ${LLAMA_ARCHES.join(' and ')}, each with its own Electron addon and llama.cpp binaries and nothing from the checkout`,
    () => {
      for (const arch of LLAMA_ARCHES) placeAddon(arch)
      const result = electronBuilder(LLAMA_ARCHES.map((arch) => `--${arch}`))
      expect(result.status, result.output).toBe(0)
      for (const arch of LLAMA_ARCHES) {
        const folder = arch === 'x64' ? 'linux-unpacked' : `linux-${arch}-unpacked`
        const app = join(output, folder)
        const resources = join(app, 'resources')
        expect(existsSync(join(app, 'gridforge')), `${arch}: the renamed executable`).toBe(true)

        const addon = readFileSync(join(resources, 'native', 'better_sqlite3.node'))
        expect(addon.equals(standInAddon(arch)), `${arch}: resources/native holds this arch's Electron addon`).toBe(true)

        const unpacked = filesUnder(join(resources, 'app.asar.unpacked'))
        const asar = listPackage(join(resources, 'app.asar'), { isPack: false }).map((entry) => entry.replaceAll('\\', '/').slice(1))
        expect(asar).toContain('node_modules/better-sqlite3/lib/database.js')
        expect(
          [...asar, ...unpacked].filter((file) => file.startsWith('node_modules/better-sqlite3/build/')),
          `${arch}: no Node-ABI addon`,
        ).toEqual([])

        const llama = unpacked.filter((file) => file.endsWith('llama-addon.node'))
        expect(llama, `${arch}: this arch's llama.cpp binary`).toContain(
          `node_modules/@node-llama-cpp/linux-${arch}/bins/linux-${arch}/llama-addon.node`,
        )
        const nativeFiles = unpacked.filter((file) => file.endsWith('.node'))
        const archs = new Set(nativeFiles.map((file) => binaryArch(readFileSync(join(resources, 'app.asar.unpacked', file)))))
        expect([...archs], `${arch}: every native file in the package`).toEqual([`linux-${arch}`])

        const fromCheckout = [...asar, ...unpacked].filter(
          (file) => /^(tests|bench|src|scripts|build)\//.test(file) || file.endsWith('.gguf'),
        )
        expect(fromCheckout, arch).toEqual([])
        // The feed electron-updater reads in the installed app.
        expect(load(readFileSync(join(resources, 'app-update.yml'), 'utf8'))).toMatchObject({
          provider: 'github',
          owner: 'AIPowerGrid',
          repo: 'gridforge',
        })
      }
    },
    300_000,
  )

  // What once shipped an app without its dependencies' dependencies (and without the llama.cpp binaries): npm
  // lists a symlinked node_modules as packages outside the project once its hidden lockfile is out of date.
  it.skipIf(LLAMA_ARCHES.length === 0)(
    'refuses to package from a node_modules npm cannot place (reached through a symlink), naming what is missing',
    () => {
      const arch = LLAMA_ARCHES[0]!
      placeAddon(arch, linkedProject)
      const result = electronBuilder([`--${arch}`], linkedProject, join(work, 'linked-dist'))
      expect(result.status).not.toBe(0)
      expect(result.output).toContain('The following production dependencies could not be resolved during node-module collection')
      expect(result.output).toMatch(/^ {2}- @huggingface\/jinja@/m)
      const folder = arch === 'x64' ? 'linux-unpacked' : `linux-${arch}-unpacked`
      expect(existsSync(join(work, 'linked-dist', folder, 'resources', 'app.asar'))).toBe(false)
    },
    240_000,
  )
})
