#!/usr/bin/env node
// Finds the Chromium the browser tests and benchmarks drive; browsers are never downloaded (CI machines
// have no internet). Run directly (`npm run test:e2e` does), it installs Debian's `chromium` when
// running as root on Debian and none is found, else says in one sentence what to install.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const INSTALL_HINT =
  'No Chromium found for the browser tests: install it (Debian/Ubuntu: sudo apt-get install -y chromium; macOS: brew install --cask chromium) or set CHROMIUM_PATH to a Chromium or Chrome executable.'

/** Where a Chromium may be, most specific first. */
function candidates(env = process.env) {
  const found = []
  if (env.CHROMIUM_PATH) return [env.CHROMIUM_PATH]
  found.push(
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/snap/bin/chromium',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/google-chrome',
  )
  found.push('/Applications/Chromium.app/Contents/MacOS/Chromium', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome')
  // A browser Playwright installed earlier (npx playwright install) is just as good.
  const cache = env.PLAYWRIGHT_BROWSERS_PATH || join(homedir(), '.cache', 'ms-playwright')
  try {
    for (const dir of readdirSync(cache)
      .filter((name) => name.startsWith('chromium-'))
      .sort()
      .reverse()) {
      found.push(join(cache, dir, 'chrome-linux', 'chrome'), join(cache, dir, 'chrome-linux64', 'chrome'))
    }
  } catch {
    // No Playwright cache.
  }
  return found
}

/** The Chromium executable to use, or null. */
export function findChromium(env = process.env) {
  return candidates(env).find((path) => existsSync(path)) ?? null
}

/** The one sentence shown when no Chromium can be found or installed. */
export const chromiumHint = INSTALL_HINT

function canInstallWithApt() {
  return process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get') && existsSync('/etc/debian_version')
}

function ensure() {
  if (findChromium()) return 0
  if (process.env.CHROMIUM_PATH) {
    process.stderr.write(
      `CHROMIUM_PATH is ${process.env.CHROMIUM_PATH}, but no file is there: point it at a Chromium or Chrome executable.\n`,
    )
    return 1
  }
  if (!canInstallWithApt()) {
    process.stderr.write(`${INSTALL_HINT}\n`)
    return 1
  }
  process.stderr.write("Installing Debian's Chromium for the browser tests (apt-get install chromium)…\n")
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: ['ignore', 'ignore', 'inherit'], env })
  } catch {
    process.stderr.write(`apt-get could not install chromium. ${INSTALL_HINT}\n`)
    return 1
  }
  if (findChromium()) return 0
  process.stderr.write(`${INSTALL_HINT}\n`)
  return 1
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exit(ensure())
