import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { binaryArch } from '../../scripts/packaging/binaryArch.js'
import { nativeAddonProblems } from '../../scripts/packaging/packageChecks.js'
import { ELECTRON_VERSION, tempFolders } from '../support/packaging.js'
import { repoRoot } from '../support/paths.js'

const temp = tempFolders('gridforge-native-test-')

function elf(machine: number, bits: 1 | 2 = 2): Buffer {
  const bytes = Buffer.alloc(64)
  bytes.writeUInt32BE(0x7f454c46, 0)
  bytes[4] = bits
  bytes[5] = 1
  bytes.writeUInt16LE(machine, 18)
  return bytes
}
function machO(cpu: number): Buffer {
  const bytes = Buffer.alloc(32)
  bytes.writeUInt32LE(0xfeedfacf, 0)
  bytes.writeUInt32LE(cpu, 4)
  return bytes
}
function pe(machine: number): Buffer {
  const bytes = Buffer.alloc(0x100)
  bytes.write('MZ', 0, 'latin1')
  bytes.writeUInt32LE(0x80, 0x3c)
  bytes.writeUInt32BE(0x50450000, 0x80)
  bytes.writeUInt16LE(machine, 0x84)
  return bytes
}

describe('which system a native file is for', () => {
  it('reads the addon npm built on this machine as this machine’s', () => {
    const addon = join(repoRoot, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')
    expect(binaryArch(readFileSync(addon))).toBe(`${process.platform}-${process.arch}`)
  })

  it('tells the six targets apart and refuses what is none of them', () => {
    expect(binaryArch(elf(0x3e))).toBe('linux-x64')
    expect(binaryArch(elf(0xb7))).toBe('linux-arm64')
    expect(binaryArch(machO(0x01000007))).toBe('darwin-x64')
    expect(binaryArch(machO(0x0100000c))).toBe('darwin-arm64')
    expect(binaryArch(pe(0x8664))).toBe('win32-x64')
    expect(binaryArch(pe(0xaa64))).toBe('win32-arm64')
    expect(binaryArch(elf(0x28, 1))).toBeNull()
    expect(binaryArch(elf(0xf3))).toBeNull()
    expect(binaryArch(Buffer.from('{"not":"a binary"}'))).toBeNull()
    expect(binaryArch(Buffer.alloc(0))).toBeNull()
  })
})

describe('the Electron addon a package is built with', () => {
  function place(root: string, target: string, bytes: Buffer, electron = ELECTRON_VERSION): void {
    const dir = join(root, 'build', 'native', target)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'better_sqlite3.node'), bytes)
    writeFileSync(join(dir, 'versions.json'), JSON.stringify({ electron, betterSqlite3: '12.11.1' }))
  }

  it('is accepted only for its own target and Electron version, each refusal in one sentence', () => {
    const root = temp()
    const check = (arch: string) => nativeAddonProblems({ root, platform: 'linux', arch, electronVersion: ELECTRON_VERSION })
    expect(check('arm64')).toEqual([
      `There is no better-sqlite3 for Electron linux-arm64 in ${join(root, 'build', 'native', 'linux-arm64')}, so this installer is not built: run "npm run prepare-native" on a linux-arm64 machine first.`,
    ])
    place(root, 'linux-arm64', elf(0x3e))
    expect(check('arm64')).toEqual([
      `${join(root, 'build', 'native', 'linux-arm64', 'better_sqlite3.node')} is built for linux-x64, not linux-arm64, so this installer is not built.`,
    ])
    place(root, 'linux-arm64', elf(0xb7), '30.0.0')
    expect(check('arm64')).toEqual([
      `${join(root, 'build', 'native', 'linux-arm64', 'better_sqlite3.node')} was made for Electron 30.0.0, not ${ELECTRON_VERSION}: run "npm run prepare-native" again.`,
    ])
    place(root, 'linux-arm64', elf(0xb7))
    expect(check('arm64')).toEqual([])
  })
})
