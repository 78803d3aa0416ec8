import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RigStatus } from '../../src/main/cli/statusCommand.js'
import { EarnSettingsStore } from '../../src/main/earn/earnSettings.js'
import { secretName } from '../../src/main/earn/gridCredentials.js'
import { KeyOrigins } from '../../src/main/earn/keyOrigins.js'
import { dataPaths } from '../../src/main/host/dataDir.js'
import { openDatabase } from '../../src/main/store/database.js'
import { FileSecretStore } from '../../src/main/store/secretStore.js'
import { SettingsRepository } from '../../src/main/store/settingsRepository.js'
import { startDevGrid, type DevGrid, type DevRig } from '../support/devGrid/index.js'
import { cliEntry, requireBuild, tempDataDir } from '../support/paths.js'

const temp = tempDataDir()
let grid: DevGrid
const HOUR = 3_600_000
const rig = (name: string, online: boolean, den: number, jobs: number, seenMsAgo: number, maintenance = false): DevRig => ({
  name,
  type: 'text',
  models: ['grid/stories260K'],
  den_earned: den,
  jobs_completed: jobs,
  last_seen: new Date(Date.now() - seenMsAgo).toISOString(),
  maintenance,
  online,
})

beforeAll(async () => {
  grid = await startDevGrid({ mode: 'aipg' })
  grid.aipg.rigs.set('alice#1', [
    rig('attic-rig', false, 7.25, 130, 3 * HOUR),
    rig('garage-rig', true, 41.5, 812, 0),
    rig('desk-rig', true, 1.25, 9, 0),
    rig('shed-rig', true, 0, 0, 0, true),
  ])
  // The app's own saved key and grid, as Settings would leave them: the key checked against this grid.
  const paths = dataPaths(temp.dir)
  const db = openDatabase(paths.database)
  try {
    const store = new SettingsRepository(db)
    const earn = new EarnSettingsStore(store)
    earn.save({ ...earn.current(), network: 'aipg', gridUrl: grid.url, workerName: 'desk-rig', slots: 1 })
    new KeyOrigins(store).set('aipg', grid.url)
  } finally {
    db.close()
  }
  new FileSecretStore(paths.secrets).set(secretName('aipg'), 'dev-key-alice')
})

afterAll(async () => {
  await grid.close()
  temp.cleanup()
})

/** Runs `gridforge status …` without blocking this process, which serves the dev grid it asks. */
function status(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  requireBuild()
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliEntry, 'status', ...args, '--data-dir', temp.dir],
      { encoding: 'utf8', env: { ...process.env, GRIDFORGE_GPU: 'off' } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: stdout, err: stderr }),
    )
  })
}

describe('gridforge status --fleet', () => {
  it("lists every rig of the account with the app's saved key: this rig first, offline flagged, totals", async () => {
    const run = await status('--fleet', '--json')
    expect(run.code).toBe(0)
    const fleet = (JSON.parse(run.out) as RigStatus).fleet
    expect(fleet).toMatchObject({ state: 'ok', unit: 'den', online: 3, offline: 1, jobs: 951 })
    if (fleet?.state !== 'ok') throw new Error('no fleet')
    expect(fleet.rewards).toBeCloseTo(50, 5)
    expect(fleet.rigs.map((rig) => [rig.name, rig.state, rig.thisRig])).toEqual([
      ['desk-rig', 'online', true],
      ['attic-rig', 'offline', false],
      ['shed-rig', 'maintenance', false],
      ['garage-rig', 'online', false],
    ])
    expect(fleet.rigs[1]).toMatchObject({ models: ['grid/stories260K'], rewards: 7.25, jobs: 130 })
    expect(Date.now() - (fleet.rigs[1]!.lastSeen ?? 0)).toBeGreaterThanOrEqual(3 * HOUR)

    const screen = (await status('--fleet')).out
    expect(screen).toMatch(/^Fleet: {5}3 of 4 online, 1 offline, 50\.00 den, 951 jobs$/m)
    expect(screen).toMatch(/^! attic-rig +offline +grid\/stories260K +- +3 h ago +7\.25 +130$/m)
    expect(screen).toMatch(/^ {2}desk-rig \(this rig\) +online/m)
    expect(screen).not.toContain('dev-key-alice')
  })

  it('takes a headless rig’s key and name from the command line, and says in one line when the grid refuses the key', async () => {
    const keyFile = join(temp.dir, 'key')
    writeFileSync(keyFile, 'dev-key-alice\n')
    const named = JSON.parse((await status('--fleet', '--api-key-file', keyFile, '--name', 'garage-rig', '--json')).out) as RigStatus
    expect(named.fleet?.rigs.find((rig) => rig.thisRig)?.name).toBe('garage-rig')

    writeFileSync(keyFile, 'not-a-key\n')
    const refused = await status('--fleet', '--api-key-file', keyFile)
    expect(refused.code).toBe(0)
    expect(refused.out).toMatch(/^Fleet: {5}The grid refused this API key, so it lists no rigs\.$/m)
  })

  it('with no slot setting (the count calibrated at each Start), marks each slot name this rig registered', async () => {
    // What a Start that calibrated 2 slots leaves on the grid: desk-rig-1 and desk-rig-2 next to the older one-slot desk-rig.
    grid.aipg.rigs.set('alice#1', [
      ...grid.aipg.rigs.get('alice#1')!,
      rig('desk-rig-1', true, 0.5, 3, 0),
      rig('desk-rig-2', true, 0.5, 2, 0),
    ])
    const db = openDatabase(dataPaths(temp.dir).database)
    try {
      const earn = new EarnSettingsStore(new SettingsRepository(db))
      earn.save({ ...earn.current(), slots: null })
    } finally {
      db.close()
    }
    const fleet = (JSON.parse((await status('--fleet', '--json')).out) as RigStatus).fleet
    expect(fleet?.rigs.filter((rig) => rig.thisRig).map((rig) => rig.name)).toEqual(['desk-rig', 'desk-rig-1', 'desk-rig-2'])
    expect((await status('--fleet')).out).toMatch(/^ {2}desk-rig-2 \(this rig\) +online/m)
  })
})
