import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { EngineSupervisor } from '../../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import type { EngineLauncher } from '../../src/main/engine/protocol.js'
import { openDatabase } from '../../src/main/store/database.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { runGridforge } from '../support/cliRun.js'
import { earnServiceOn } from '../support/earnHarness.js'
import { engineEntry, requireBuild, tempDataDir } from '../support/paths.js'
import { until } from './hostHarness.js'

const temps: Array<ReturnType<typeof tempDataDir>> = []
let grid: DevGrid | null = null
afterEach(async () => {
  await grid?.close()
  grid = null
})
afterAll(() => temps.forEach((temp) => temp.cleanup()))

function dataFolder() {
  const temp = tempDataDir()
  temps.push(temp)
  const key = join(temp.dir, 'key')
  writeFileSync(key, 'dev-key-alice\n')
  return { ...temp, key, cache: join(temp.dir, 'engine', 'slot-calibration.json') }
}

const CHOSEN = /^Slots: ([124]) \(chosen for this PC: 1 → [\d.]+, 2 → [\d.]+, 4 → [\d.]+ tok\/s\)$/m

/** `gridforge worker` on the Horde side of the dev grid, for one job of the tiny model. */
async function workOneJob(dir: string, key: string, more: string[] = ['--slots', 'auto']) {
  grid ??= await startDevGrid({ mode: 'horde' })
  grid.enqueueHorde({ payload: { prompt: 'Once upon a time', max_length: 8 } })
  const args = ['worker', '--network', 'horde', '--grid-url', grid.url, '--api-key-file', key, '--model', 'stories260K']
  return runGridforge(dir, [...args, '--name', 'slots-cli', '--max-jobs', '1', ...more])
}

describe('gridforge worker slots', () => {
  it('calibrates at the first start (--slots auto, the default), caches the choice, and reuses it at the next without measuring', async () => {
    const data = dataFolder()
    const first = await workOneJob(data.dir, data.key)
    expect(first.code).toBe(0)
    expect(first.stderr).toContain('Measuring how many jobs at once this PC runs best')
    const line = first.stderr.match(CHOSEN)?.[0]
    expect(line, first.stderr).toBeDefined()
    const cached = readFileSync(data.cache, 'utf8')
    expect(Object.values(JSON.parse(cached) as Record<string, unknown>)).toHaveLength(1)

    const second = await workOneJob(data.dir, data.key)
    expect(second.code).toBe(0)
    expect(second.stderr).not.toContain('Measuring')
    // The same numbers, not a new measurement, and the cache as the first start wrote it.
    expect(second.stderr.match(CHOSEN)?.[0]).toBe(line)
    expect(readFileSync(data.cache, 'utf8')).toBe(cached)
  })

  it('takes --slots as it is, measuring nothing', async () => {
    const data = dataFolder()
    const result = await workOneJob(data.dir, data.key, ['--slots', '3'])
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/^Slots: 3 \(your setting\)$/m)
    expect(result.stderr).not.toContain('Measuring')
    expect(existsSync(data.cache)).toBe(false)
  })
})

describe('Stop while the slots are measured', () => {
  it('stops the measurement in the engine, caches nothing, and the miner is off with no worker on the grid', async () => {
    requireBuild()
    const data = dataFolder()
    grid = await startDevGrid({ mode: 'aipg' })
    const db = openDatabase(join(data.dir, 'gridforge.db'))
    let stop = () => {}
    const measuring: string[] = []
    const base = forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' })
    // Stop is pressed the moment the engine is asked to measure: the abort has to reach the engine process.
    const launch: EngineLauncher = () => {
      const process = base()
      return {
        ...process,
        pid: process.pid,
        send: (message) => {
          process.send(message)
          if (message.type === 'calibrateSlots') {
            measuring.push(message.type)
            stop()
          }
        },
      }
    }
    const engine = new EngineSupervisor({ launch, slotCalibrationFile: data.cache })
    const earn = earnServiceOn(db, data.dir, 'secrets', { engine })
    try {
      await engine.load(data.model)
      earn.configure({ network: 'aipg', gridUrl: grid.url, workerName: 'slots-stop', slots: null, maxLength: 64, maxContextLength: 1024 })
      await earn.setApiKey('aipg', 'dev-key-alice')
      stop = () => earn.stop()
      await earn.start()
      await until(() => earn.snapshot().state === 'off')
      expect(measuring).toEqual(['calibrateSlots'])
      expect(earn.snapshot().detail).toBeNull()
      expect(existsSync(data.cache)).toBe(false)
      expect(grid.aipg.registrations.filter((r) => Array.isArray(r.models) && r.models.length > 0)).toEqual([])
      // The engine is not left measuring: a generation right after is answered.
      const reply = await engine.generate({ kind: 'completion', prompt: 'Once upon a time', params: { maxTokens: 4, temperature: 0 } })
      expect(reply.completionTokens).toBeGreaterThan(0)
    } finally {
      await earn.close()
      await engine.close()
      db.close()
    }
  })
})
