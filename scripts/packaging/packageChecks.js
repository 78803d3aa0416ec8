// What every installer must hold, checked by electron-builder's hooks (electron-builder.yml) while it
// packages: a build that cannot hold it stops with one sentence instead of shipping an app that does not
// start. Each function returns the problems in sentences; an empty list means the package is good.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs'
import { join } from 'node:path'
import { listPackage } from '@electron/asar'
import { ADDON, binaryArch } from './binaryArch.js'

/** node-llama-cpp's OS names in its binary packages (@node-llama-cpp/<os>-<arch>[-variant]). */
const LLAMA_OS = { linux: 'linux', win32: 'win', darwin: 'mac' }

/** Where scripts/prepare-native.js puts the Electron build of better-sqlite3 for one target. */
export function nativeDir(root, platform, arch) {
  return join(root, 'build', 'native', `${platform}-${arch}`)
}

/** Before packaging: the Electron addon for exactly this target is there, made for this Electron. */
export function nativeAddonProblems({ root, platform, arch, electronVersion }) {
  const dir = nativeDir(root, platform, arch)
  const addon = join(dir, ADDON)
  if (!existsSync(addon)) {
    return [
      `There is no better-sqlite3 for Electron ${platform}-${arch} in ${dir}, so this installer is not built: run "npm run prepare-native" on a ${platform}-${arch} machine first.`,
    ]
  }
  const built = binaryArch(header(addon))
  if (built !== `${platform}-${arch}`) {
    return [`${addon} is built for ${built ?? 'no known system'}, not ${platform}-${arch}, so this installer is not built.`]
  }
  const stamp = existsSync(join(dir, 'versions.json')) ? JSON.parse(readFileSync(join(dir, 'versions.json'), 'utf8')) : {}
  if (stamp.electron !== electronVersion) {
    return [
      `${addon} was made for Electron ${stamp.electron ?? 'an unknown version'}, not ${electronVersion}: run "npm run prepare-native" again.`,
    ]
  }
  return []
}

/** The first 4 KB of a file: enough for binaryArch, and the CUDA libraries are hundreds of MB. */
function header(file) {
  const fd = openSync(file, 'r')
  try {
    const bytes = Buffer.alloc(4096)
    return bytes.subarray(0, readSync(fd, bytes, 0, bytes.length, 0))
  } finally {
    closeSync(fd)
  }
}

function filesUnder(dir) {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

/**
 * After packaging, on the app's resources folder: the Electron addon for this arch beside the app, no
 * Node-ABI addon anywhere, this arch's llama.cpp binaries unpacked, no native file of another system, nothing
 * from the checkout's src/, tests/, bench/ or scripts/.
 */
export function packagedAppProblems({ resourcesDir, platform, arch }) {
  const problems = []
  const target = `${platform}-${arch}`
  const addon = join(resourcesDir, 'native', ADDON)
  if (!existsSync(addon)) problems.push(`The package has no ${join('native', ADDON)} for ${target}.`)
  else if (binaryArch(header(addon)) !== target) problems.push(`The package's ${ADDON} is not built for ${target}.`)

  const unpacked = join(resourcesDir, 'app.asar.unpacked')
  const strayAddons = filesUnder(unpacked).filter((file) => file.endsWith(ADDON))
  for (const file of strayAddons) problems.push(`The package ships a second ${ADDON} (${file}), which would be the Node-ABI one.`)

  const nativeFiles = filesUnder(unpacked).filter((file) => file.endsWith('.node'))
  const foreign = nativeFiles.filter((file) => binaryArch(header(file)) !== target)
  for (const file of foreign) problems.push(`The package ships a native file that is not for ${target}: ${file}.`)
  const llamaPrefix = `${LLAMA_OS[platform]}-${arch}`
  const llama = nativeFiles.filter((file) => file.endsWith('llama-addon.node') && !foreign.includes(file))
  if (llama.length === 0) {
    problems.push(
      `The package has no llama.cpp binary for ${target} (@node-llama-cpp/${llamaPrefix}* installs only on a ${target} machine), so build this installer on one.`,
    )
  }

  const inAsar = existsSync(join(resourcesDir, 'app.asar')) ? listPackage(join(resourcesDir, 'app.asar'), { isPack: false }) : []
  for (const entry of inAsar.map((e) => e.replaceAll('\\', '/'))) {
    if (/^\/(tests|bench|src|scripts)\//.test(entry)) problems.push(`The package ships ${entry.slice(1)} from the checkout.`)
  }
  return problems
}
