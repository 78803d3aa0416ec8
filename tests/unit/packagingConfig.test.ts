import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
// Both are dependencies of electron-builder itself (app-builder-lib parses electron-builder.yml with
// js-yaml and matches `files` with minimatch), so the test reads the config the way the packager does.
import { load } from 'js-yaml'
import { Minimatch, minimatch } from 'minimatch'
import { describe, expect, it } from 'vitest'
import { electronSqliteBinding, SQLITE_ADDON } from '../../src/main/electron/sqliteBinding.js'
import { repoRoot } from '../support/paths.js'

interface FileSet {
  from: string
  to: string
  filter: string[]
}
/** A target name, or electron-builder's object form (which may pin architectures). */
type Target = string | { target: string; arch?: string[] }
interface BuilderConfig {
  appId: string
  productName: string
  npmRebuild: boolean
  files: string[]
  asarUnpack: string[]
  extraResources: FileSet[]
  directories: { output: string; buildResources: string }
  win: { icon: string; target: Target[] }
  mac: { icon: string; entitlements: string; target: Target[] }
  linux: { icon: string; target: Target[] }
  publish: { provider: string; owner: string; repo: string }
  beforePack: string
  afterPack: string
}

const config = load(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8')) as BuilderConfig
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  main: string
  name: string
  productName: string
  homepage: string
  author: { name: string }
  desktopName: string
  scripts: Record<string, string>
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
}

type Os = 'linux' | 'mac' | 'win'
const PLATFORM_OF: Record<Os, NodeJS.Platform> = { linux: 'linux', mac: 'darwin', win: 'win32' }
const builds: Array<{ os: Os; arch: string }> = [
  { os: 'linux', arch: 'x64' },
  { os: 'linux', arch: 'arm64' },
  { os: 'win', arch: 'x64' },
  { os: 'mac', arch: 'arm64' },
  { os: 'mac', arch: 'x64' },
]

function expand(pattern: string, os: Os, arch: string): string {
  return pattern.replaceAll('${os}', os).replaceAll('${arch}', arch).replaceAll('${platform}', PLATFORM_OF[os])
}

/**
 * electron-builder's `files` rule: patterns apply in order and the last one that matches decides.
 * Production dependencies in node_modules are collected unless a pattern excludes them.
 */
function ships(path: string, os: Os, arch: string): boolean {
  let included = path.startsWith('node_modules/')
  for (const { negated, matcher } of filesRules(os, arch)) if (matcher.match(path)) included = !negated
  return included
}

/** The `files` patterns compiled once per target: matching hundreds of paths re-parsed them each time. */
const compiledRules = new Map<string, Array<{ negated: boolean; matcher: Minimatch }>>()
function filesRules(os: Os, arch: string): Array<{ negated: boolean; matcher: Minimatch }> {
  const key = `${os}-${arch}`
  let rules = compiledRules.get(key)
  if (!rules) {
    rules = config.files.map((raw) => {
      const negated = raw.startsWith('!')
      return { negated, matcher: new Minimatch(expand(negated ? raw.slice(1) : raw, os, arch), { dot: true }) }
    })
    compiledRules.set(key, rules)
  }
  return rules
}

function unpacked(path: string): boolean {
  return config.asarUnpack.some((pattern) => minimatch(path, pattern, { dot: true, matchBase: !pattern.includes('/') }))
}

function filesUnder(dir: string): string[] {
  const abs = join(repoRoot, dir)
  if (!existsSync(abs)) return []
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(repoRoot, join(entry.parentPath, entry.name)).replaceAll('\\', '/'))
}

function pngSize(file: string): { width: number; height: number } {
  const header = readFileSync(join(repoRoot, file)).subarray(0, 24)
  expect(header.subarray(1, 4).toString('ascii'), file).toBe('PNG')
  return { width: header.readUInt32BE(16), height: header.readUInt32BE(20) }
}

/** Bare package names the built main-process code loads at run time (Vite leaves dependencies external). */
function runtimeImports(): string[] {
  const names = new Set<string>()
  for (const file of filesUnder('out/main').filter((f) => f.endsWith('.js'))) {
    const code = readFileSync(join(repoRoot, file), 'utf8')
    for (const match of code.matchAll(/(?:from\s*|import\s*\(\s*|require\(\s*)["']([^"'./][^"']*)["']/g)) {
      const specifier = match[1]!
      if (specifier.startsWith('node:') || specifier === 'electron') continue
      const parts = specifier.split('/')
      names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!)
    }
  }
  return [...names].sort()
}

describe('electron-builder.yml', () => {
  it('names the app, its installers for every OS and the GitHub releases feed the updater reads', () => {
    expect(config.appId).toBe('io.aipowergrid.gridforge')
    expect(config.productName).toBe(pkg.productName)
    expect(config.win.target).toEqual(['nsis'])
    expect(config.mac.target).toEqual(['dmg', 'zip'])
    expect(config.linux.target).toEqual(['AppImage', 'deb'])
    expect(config.publish).toMatchObject({ provider: 'github', owner: 'AIPowerGrid', repo: 'gridforge' })
    expect(existsSync(join(repoRoot, config.mac.entitlements))).toBe(true)
  })

  it('builds every installer for the machine it runs on, never another architecture', () => {
    // A pinned `arch:` list would make electron-builder build it even where that arch's llama.cpp binaries
    // cannot be installed (an x64 dmg on an Apple-silicon Mac), and `--x64`/`--arm64` would not override it.
    const targets = [...config.win.target, ...config.mac.target, ...config.linux.target]
    expect(targets.filter((t) => typeof t !== 'string' && t.arch !== undefined)).toEqual([])
    expect(config.beforePack).toBe('./scripts/packaging/hooks.js')
    expect(config.afterPack).toBe('./scripts/packaging/hooks.js')
    expect(statSync(join(repoRoot, config.beforePack)).isFile()).toBe(true)
  })

  it('has the package metadata the .deb and the Linux desktop entry need', () => {
    expect(pkg.homepage).toMatch(/^https:\/\//)
    expect(pkg.author.name).not.toBe('')
    expect(pkg.desktopName).toBe(`${pkg.name}.desktop`)
  })

  it('points at icons that exist and are large enough for .ico and .icns', () => {
    expect(pngSize(config.win.icon)).toEqual({ width: 256, height: 256 })
    expect(pngSize(config.mac.icon)).toEqual({ width: 1024, height: 1024 })
    for (const size of [256, 512]) {
      expect(pngSize(`${config.linux.icon}/${size}x${size}.png`)).toEqual({ width: size, height: size })
    }
    for (const status of ['idle', 'mining', 'paused', 'error']) {
      expect(pngSize(`resources/tray/tray-${status}.png`)).toEqual({ width: 16, height: 16 })
      expect(pngSize(`resources/tray/tray-${status}@2x.png`)).toEqual({ width: 32, height: 32 })
      expect(ships(`resources/tray/tray-${status}.png`, 'linux', 'x64')).toBe(true)
    }
  })

  it('ships nothing from the sources, tests, fixtures, bench, scripts or native build folder', () => {
    const forbidden = [
      ...filesUnder('src'),
      ...filesUnder('tests'),
      ...filesUnder('bench'),
      ...filesUnder('scripts'),
      'tests/fixtures/models/stories260K.gguf',
      'build/native/linux-x64/better_sqlite3.node',
      // The Node-ABI addon in node_modules: the app loads the Electron one from resources/native.
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/better-sqlite3/build/Release/obj.target/better_sqlite3.node',
      'out/main/cli.js.map',
      'resources/models/some.gguf',
    ]
    expect(forbidden.length).toBeGreaterThan(50)
    for (const { os, arch } of builds) {
      const shipped = forbidden.filter((file) => ships(file, os, arch))
      expect(shipped, `${os}-${arch}`).toEqual([])
    }
  })

  it('ships the built entry, preload, engine process and renderer (after npm run build)', () => {
    if (!existsSync(join(repoRoot, 'out', 'main'))) throw new Error('Run "npm run build" before this test.')
    expect(pkg.main).toBe('out/main/electronMain.js')
    const needed = [pkg.main, 'out/main/engineProcess.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'package.json']
    for (const file of needed) {
      expect(existsSync(join(repoRoot, file)), file).toBe(true)
      expect(ships(file, 'linux', 'x64'), file).toBe(true)
    }
    const built = filesUnder('out').filter((f) => !f.endsWith('.map'))
    expect(built.filter((f) => !ships(f, 'win', 'x64'))).toEqual([])
    expect(ships('resources/cloudflare_origin_rsa_root.pem', 'mac', 'arm64')).toBe(true)
  })

  it('lists every package the built main process loads as a dependency, so that it is packaged', () => {
    if (!existsSync(join(repoRoot, 'out', 'main'))) throw new Error('Run "npm run build" before this test.')
    const imports = runtimeImports()
    expect(imports).toEqual(expect.arrayContaining(['better-sqlite3', 'node-llama-cpp', 'electron-log', 'electron-updater']))
    const missing = imports.filter((name) => !(name in pkg.dependencies))
    expect(missing, 'imported at run time but not in "dependencies" (devDependencies are not packaged)').toEqual([])
  })

  it('unpacks every native file of those packages from the asar and keeps only this platform’s llama.cpp binaries', () => {
    const nativeFiles = [
      ...filesUnder('node_modules/better-sqlite3'),
      ...filesUnder('node_modules/node-llama-cpp/bins'),
      ...filesUnder('node_modules/@node-llama-cpp'),
    ].filter((f) => /\.(node|so|dylib|dll|metal)$/.test(f) || /\.so\.\d/.test(f))
    expect(nativeFiles.length).toBeGreaterThan(0)
    const { os, arch } = { os: 'linux' as const, arch: process.arch }
    for (const file of nativeFiles.filter((f) => ships(f, os, arch))) expect(unpacked(file), file).toBe(true)
    const hereAddon = `node_modules/@node-llama-cpp/linux-${arch}/bins/linux-${arch}/llama-addon.node`
    if (existsSync(join(repoRoot, hereAddon))) expect(ships(hereAddon, os, arch)).toBe(true)
  })

  it('includes the GPU variants of the target platform and no other platform’s binaries', () => {
    const addon = (variant: string) => `node_modules/@node-llama-cpp/${variant}/bins/${variant}/llama-addon.node`
    const expectations: Array<[Os, string, string[], string[]]> = [
      [
        'linux',
        'x64',
        ['linux-x64', 'linux-x64-cuda', 'linux-x64-cuda-ext', 'linux-x64-vulkan'],
        ['linux-arm64', 'linux-armv7l', 'win-x64', 'mac-x64'],
      ],
      ['win', 'x64', ['win-x64', 'win-x64-cuda', 'win-x64-vulkan'], ['win-arm64', 'linux-x64', 'linux-x64-cuda']],
      ['mac', 'arm64', ['mac-arm64-metal'], ['mac-x64', 'linux-arm64', 'win-arm64']],
    ]
    for (const [os, arch, kept, dropped] of expectations) {
      for (const variant of kept) {
        expect(ships(addon(variant), os, arch), `${os}-${arch} keeps ${variant}`).toBe(true)
        expect(unpacked(addon(variant)), variant).toBe(true)
      }
      for (const variant of dropped) expect(ships(addon(variant), os, arch), `${os}-${arch} drops ${variant}`).toBe(false)
    }
  })

  it('ships the Electron build of better-sqlite3 where the app looks for it, without rebuilding node_modules', () => {
    expect(config.npmRebuild).toBe(false)
    const entry = config.extraResources.find((set) => set.filter.includes(SQLITE_ADDON))
    expect(entry).toBeDefined()
    for (const { os, arch } of builds) {
      const platform = PLATFORM_OF[os]
      const source = expand(entry!.from, os, arch)
      expect(source).toBe(`build/native/${platform}-${arch}`)
      const resources = '/Applications/GridForge.app/Contents/Resources'
      const expected = join(resources, entry!.to, SQLITE_ADDON)
      expect(
        electronSqliteBinding({ isPackaged: true, resourcesPath: resources, repoRoot, platform, arch, exists: (p) => p === expected }),
      ).toBe(expected)
      // A development run of Electron uses the same file straight from build/native.
      const dev = join(repoRoot, source, SQLITE_ADDON)
      expect(electronSqliteBinding({ isPackaged: false, resourcesPath: '', repoRoot, platform, arch, exists: (p) => p === dev })).toBe(dev)
    }
    expect(statSync(join(repoRoot, 'scripts', 'prepare-native.js')).isFile()).toBe(true)
    // `&&`: a prepare-native that cannot get the addon (no headers, offline) stops `npm run dist` before electron-builder.
    expect(pkg.scripts.dist).toMatch(/&& node scripts\/prepare-native\.js && electron-builder --publish never$/)
  })

  it('says in one sentence that a packaged app lacks its database addon, instead of loading the Node-ABI one', () => {
    const missing = () =>
      electronSqliteBinding({ isPackaged: true, resourcesPath: '/R', repoRoot, platform: 'linux', arch: 'arm64', exists: () => false })
    expect(missing).toThrow(
      `This GridForge install is incomplete: its database library (${join('/R', 'native', SQLITE_ADDON)}) for linux-arm64 is missing, so reinstall GridForge from the release for this system.`,
    )
    // A development run without `npm run prepare-native` keeps node_modules' build (and `npm start` prepares it).
    expect(
      electronSqliteBinding({ isPackaged: false, resourcesPath: '', repoRoot, platform: 'linux', arch: 'x64', exists: () => false }),
    ).toBeUndefined()
  })
})
