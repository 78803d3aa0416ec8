import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LlamaRuntime } from '../../src/main/engine/llamaRuntime.js'
import { calibratedSlots, calibrationKey, SlotCalibrationCache, slotCandidates } from '../../src/main/engine/slotCalibration.js'
import { tinyModel } from '../support/paths.js'

const silent = { text() {}, reasoning() {}, toolCall() {}, progress() {} }

let runtime: LlamaRuntime
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gridforge-calibration-'))
  runtime = await LlamaRuntime.create(false)
  await runtime.load(tinyModel, 1, 4, () => {})
})
afterAll(async () => {
  await runtime?.unload()
  rmSync(dir, { recursive: true, force: true })
})

describe('slot calibration on the loaded model', () => {
  it('measures 1, 2 and 4 slots once, caches the choice, and reuses it', async () => {
    const cache = new SlotCalibrationCache(join(dir, 'slot-calibration.json'))
    const file = statSync(tinyModel)
    const key = calibrationKey({
      modelPath: tinyModel,
      modelBytes: file.size,
      modelModifiedMs: file.mtimeMs,
      threads: 1,
      gpu: null,
      contextSize: 0,
    })
    let runs = 0
    const measure = () => {
      runs++
      return runtime.calibrateSlots(slotCandidates(4), new AbortController().signal)
    }
    const first = await calibratedSlots(cache, key, measure)
    expect(first?.cached).toBe(false)
    expect(first?.measurements.map((m) => m.slots)).toEqual([1, 2, 4])
    expect(first?.measurements.every((m) => m.tokensPerSecond > 0)).toBe(true)
    expect([1, 2, 4]).toContain(first?.slots)
    const again = await calibratedSlots(new SlotCalibrationCache(join(dir, 'slot-calibration.json')), key, measure)
    expect(again).toEqual({ ...first, cached: true })
    expect(runs).toBe(1)
  })

  it('gives way to a generation that starts, and is not cached', async () => {
    const calibrating = runtime.calibrateSlots(slotCandidates(4), new AbortController().signal)
    const reply = await runtime.generate(
      { kind: 'completion', prompt: 'Once upon a time', params: { maxTokens: 8, temperature: 0 } },
      silent,
      new AbortController().signal,
    )
    expect(reply.completionTokens).toBeGreaterThan(0)
    expect(await calibrating).toBeNull()
  })

  it('stops when cancelled', async () => {
    const cancel = new AbortController()
    const calibrating = runtime.calibrateSlots(slotCandidates(4), cancel.signal)
    cancel.abort()
    expect(await calibrating).toBeNull()
  })
})
