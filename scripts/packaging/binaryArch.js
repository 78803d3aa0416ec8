// Reads which OS and CPU a native library was built for from its file header (ELF, Mach-O or PE), so a
// build refuses an addon of the wrong architecture instead of shipping one that fails at the first load.

/** The file name better-sqlite3 builds and the packaged app loads (src/main/electron/sqliteBinding.ts). */
export const ADDON = 'better_sqlite3.node'

const ELF_MACHINES = { 0x3e: 'x64', 0xb7: 'arm64' }
const MACHO_CPUS = { 0x01000007: 'x64', 0x0100000c: 'arm64' }
const PE_MACHINES = { 0x8664: 'x64', 0xaa64: 'arm64' }

/**
 * `<platform>-<arch>` in Node's spelling (`linux-arm64`, `darwin-x64`, `win32-x64`), or null for anything
 * else (a text file, a 32-bit or a universal binary, an unknown CPU).
 * @param {Buffer} bytes the file's content (its first 4 KB are enough)
 * @returns {string | null}
 */
export function binaryArch(bytes) {
  if (bytes.length >= 20 && bytes.readUInt32BE(0) === 0x7f454c46) {
    // ELFCLASS64 and little-endian, then e_machine.
    if (bytes[4] !== 2 || bytes[5] !== 1) return null
    const arch = ELF_MACHINES[bytes.readUInt16LE(18)]
    return arch ? `linux-${arch}` : null
  }
  if (bytes.length >= 8 && bytes.readUInt32LE(0) === 0xfeedfacf) {
    const arch = MACHO_CPUS[bytes.readUInt32LE(4)]
    return arch ? `darwin-${arch}` : null
  }
  if (bytes.length >= 0x40 && bytes.toString('latin1', 0, 2) === 'MZ') {
    const pe = bytes.readUInt32LE(0x3c)
    if (pe + 6 > bytes.length || bytes.readUInt32BE(pe) !== 0x50450000) return null
    const arch = PE_MACHINES[bytes.readUInt16LE(pe + 4)]
    return arch ? `win32-${arch}` : null
  }
  return null
}
