#!/usr/bin/env node
// Gathers what the build runners uploaded (one folder per runner) into the one folder a GitHub release is
// made from: the installers, their blockmaps and the update feeds electron-updater reads, with the two
// macOS feeds merged (macFeeds.js). It refuses, in one sentence, a release that would leave some system
// without its feed, or a feed naming a file that is not there, so an update never points at nothing.
// Usage: node scripts/release/collectRelease.js <artifacts folder> <release folder>
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { dump, load } from 'js-yaml'
import { mergeMacFeeds } from './macFeeds.js'

/** The feeds of the five runners (.github/workflows/desktop.yml): Windows x64, Linux x64 and arm64, macOS. */
export const EXPECTED_FEEDS = ['latest.yml', 'latest-linux.yml', 'latest-linux-arm64.yml', 'latest-mac.yml']

function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

/** Copies the artifacts into `releaseDir`; returns the file names, or throws a sentence saying what is wrong. */
export function collectRelease(artifactsDir, releaseDir) {
  const files = filesUnder(artifactsDir)
  const macFeeds = files.filter((file) => basename(file) === 'latest-mac.yml')
  const others = files.filter((file) => basename(file) !== 'latest-mac.yml')
  const byName = new Map()
  for (const file of others) {
    const name = basename(file)
    if (byName.has(name))
      throw new Error(`Two runners uploaded ${name} (${byName.get(name)} and ${file}), so one would overwrite the other.`)
    byName.set(name, file)
  }
  mkdirSync(releaseDir, { recursive: true })
  for (const [name, file] of byName) copyFileSync(file, join(releaseDir, name))
  if (macFeeds.length > 0) {
    const merged = mergeMacFeeds(macFeeds.map((file) => ({ name: file, text: readFileSync(file, 'utf8') })))
    writeFileSync(join(releaseDir, 'latest-mac.yml'), dump(merged, { lineWidth: -1 }))
  }
  const names = readdirSync(releaseDir).sort()
  const missingFeeds = EXPECTED_FEEDS.filter((feed) => !names.includes(feed))
  if (missingFeeds.length > 0)
    throw new Error(`The release has no ${missingFeeds.join(', ')}: a build runner did not upload its installers.`)
  for (const feed of EXPECTED_FEEDS) {
    const { files: listed = [] } = load(readFileSync(join(releaseDir, feed), 'utf8')) ?? {}
    const urls = listed.map((file) => file.url)
    const absent = urls.filter((url) => !existsSync(join(releaseDir, url)))
    if (absent.length > 0) throw new Error(`${feed} names ${absent.join(', ')}, which the release does not have.`)
    // electron-updater on an Apple-silicon Mac takes the zips named arm64, and on an Intel Mac the others.
    if (feed === 'latest-mac.yml') {
      const zips = urls.filter((url) => url.endsWith('.zip'))
      if (!zips.some((url) => url.includes('arm64')))
        throw new Error('latest-mac.yml has no Apple-silicon (arm64) zip: the macOS arm64 runner did not upload.')
      if (!zips.some((url) => !url.includes('arm64')))
        throw new Error('latest-mac.yml has no Intel (x64) zip: the macOS x64 runner did not upload.')
    }
  }
  return names
}

const isMain = process.argv[1] && basename(process.argv[1]) === 'collectRelease.js'
if (isMain) {
  const [artifactsDir, releaseDir] = process.argv.slice(2)
  if (!artifactsDir || !releaseDir) {
    console.error('Usage: node scripts/release/collectRelease.js <artifacts folder> <release folder>')
    process.exit(2)
  }
  try {
    console.log(collectRelease(artifactsDir, releaseDir).join('\n'))
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    process.exit(1)
  }
}
