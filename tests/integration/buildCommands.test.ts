import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ELECTRON_VERSION, GRIDFORGE_VERSION, tempFolders } from '../support/packaging.js'
import { repoRoot } from '../support/paths.js'

/** The build and release commands' refusals, run as the release workflow runs them. */
const temp = tempFolders('gridforge-build-commands-')

function checkTag(...args: string[]) {
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'release', 'checkTag.js'), ...args], { encoding: 'utf8' })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.trim() }
}

describe('the release tag check', () => {
  it('accepts v<package.json version> and refuses any other tag in one sentence', () => {
    expect(checkTag(`v${GRIDFORGE_VERSION}`)).toMatchObject({ status: 0, stdout: `Releasing v${GRIDFORGE_VERSION}.\n` })
    const wrong = checkTag('v99.0.0')
    expect(wrong.status).toBe(1)
    expect(wrong.stderr).toBe(
      `The release tag "v99.0.0" does not match package.json's version ${GRIDFORGE_VERSION}: tag the commit v${GRIDFORGE_VERSION}, or set the version to 99.0.0 first.`,
    )
    expect(checkTag(GRIDFORGE_VERSION).status).toBe(1)
    expect(checkTag()).toMatchObject({
      status: 1,
      stderr: `No release tag given: pass the tag being released (v${GRIDFORGE_VERSION} for this package.json).`,
    })
  })
})

describe('npm run prepare-native', () => {
  it('stops npm run prepare-native with one sentence on a machine with neither a prebuilt binary nor the Electron headers', () => {
    const home = temp()
    const stampBefore = existsSync(join(repoRoot, 'build', 'native', `${process.platform}-${process.arch}`, 'versions.json'))
    const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'prepare-native.js'), '--force'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        HOME: home,
        USERPROFILE: home,
        // Both downloads go to a closed port on this machine: nothing is fetched from the internet.
        npm_config_better_sqlite3_binary_host: 'http://127.0.0.1:9',
        ELECTRON_REBUILD_DIST_URL: 'http://127.0.0.1:9/headers',
        npm_config_devdir: join(home, 'node-gyp'),
      },
    })
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toBe(
      `Cannot get better-sqlite3 for Electron ${ELECTRON_VERSION} ${process.platform}-${process.arch}: no prebuilt binary could be downloaded and the Electron headers are neither cached nor reachable at http://127.0.0.1:9/headers, so connect this machine to the internet and run it again.`,
    )
    // A build that was there before is left as it was.
    expect(existsSync(join(repoRoot, 'build', 'native', `${process.platform}-${process.arch}`, 'versions.json'))).toBe(stampBefore)
  })
})
