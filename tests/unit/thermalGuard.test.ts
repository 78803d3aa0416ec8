import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseNvidiaSmi, parseRocmSmi, systemGpuReader, type GpuReader, type GpuReading } from '../../src/main/earn/gpuReadings.js'
import { LocalUseGate } from '../../src/main/earn/localUseGate.js'
import { MiningGate } from '../../src/main/earn/miningGate.js'
import { alwaysIdle, DEFAULT_POLICY } from '../../src/main/earn/miningPolicy.js'
import { ThermalGuard } from '../../src/main/earn/thermalGuard.js'
import { miningPolicySchema } from '../../src/shared/miningPolicySchema.js'

/** A GPU whose temperature the test sets; null is "no reading". */
class FakeGpu implements GpuReader {
  temperature: number | null = 60
  read = async (): Promise<GpuReading[] | null> => (this.temperature === null ? null : [{ temperatureC: this.temperature, powerW: 200, memoryUsedMiB: 4000 }])
}

function guarded() {
  const gpu = new FakeGpu()
  const thermal = new ThermalGuard(gpu, 10_000)
  const gate = new MiningGate(new LocalUseGate(0), alwaysIdle, () => 0, 2000, thermal)
  gate.setPolicy({ ...DEFAULT_POLICY, thermal: { enabled: true, pauseAboveC: 85, resumeBelowC: 75 } })
  return { gpu, thermal, gate }
}

afterEach(() => vi.useRealTimers())

describe('the thermal guard', () => {
  it('pauses at the limit and resumes only below the lower one (hysteresis), saying why like other pauses', async () => {
    const { gpu, thermal, gate } = guarded()
    const changes: Array<string | null> = []
    gate.onChange((pause) => changes.push(pause?.reason ?? null))
    await thermal.sample()
    expect(gate.isOpen()).toBe(true)
    gpu.temperature = 85
    await thermal.sample()
    expect(gate.pause()).toEqual({ reason: 'thermal', message: 'Paused because the GPU is too hot (85 °C); mining resumes below 75 °C.', resumesAt: null })
    gpu.temperature = 80
    await thermal.sample()
    expect(gate.isOpen()).toBe(false)
    gpu.temperature = 75
    await thermal.sample()
    expect(gate.isOpen()).toBe(false)
    gpu.temperature = 74
    await thermal.sample()
    expect(gate.isOpen()).toBe(true)
    expect(changes).toEqual(['thermal', null])
  })

  it('never blocks mining without a reading, nor when turned off', async () => {
    const { gpu, thermal, gate } = guarded()
    gpu.temperature = 99
    await thermal.sample()
    expect(gate.isOpen()).toBe(false)
    gpu.temperature = null
    await thermal.sample()
    expect(gate.isOpen()).toBe(true)
    gpu.temperature = 99
    await thermal.sample()
    gate.setPolicy({ ...DEFAULT_POLICY, thermal: { enabled: false, pauseAboveC: 85, resumeBelowC: 75 } })
    expect(gate.isOpen()).toBe(true)
  })

  it('polls only while mining and wakes a waiting worker when the GPU cools', async () => {
    vi.useFakeTimers()
    const { gpu, gate } = guarded()
    const read = vi.spyOn(gpu, 'read')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(read).not.toHaveBeenCalled()
    gpu.temperature = 90
    gate.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(gate.isOpen()).toBe(false)
    let opened = false
    void gate.whenOpen().then(() => (opened = true))
    gpu.temperature = 70
    await vi.advanceTimersByTimeAsync(10_000)
    expect(opened).toBe(true)
    gate.stop()
    const calls = read.mock.calls.length
    await vi.advanceTimersByTimeAsync(60_000)
    expect(read.mock.calls.length).toBe(calls)
  })

  it('gives up on a reader that hangs, as no reading', async () => {
    vi.useFakeTimers()
    const reader = systemGpuReader(() => new Promise(() => undefined), 3000)
    let answer: unknown = 'pending'
    void reader.read().then((readings) => (answer = readings))
    await vi.advanceTimersByTimeAsync(2000)
    expect(answer).toBe('pending')
    // nvidia-smi and then rocm-smi each get their time limit.
    await vi.advanceTimersByTimeAsync(5000)
    expect(answer).toBeNull()
  })

  it('reads nvidia-smi and rocm-smi output, skipping GPUs that report no temperature', async () => {
    expect(parseNvidiaSmi('67, 215.43, 10240\n[N/A], [N/A], 512\n71, [Not Supported], 2048\n')).toEqual([
      { temperatureC: 67, powerW: 215.43, memoryUsedMiB: 10240 },
      { temperatureC: 71, powerW: null, memoryUsedMiB: 2048 },
    ])
    const rocm = JSON.stringify({
      card0: { 'Temperature (Sensor edge) (C)': '58.0', 'Average Graphics Package Power (W)': '120.0', 'VRAM Total Used Memory (B)': String(2 * 1024 * 1024 * 1024) },
      system: { 'Driver version': '6.0' },
    })
    expect(parseRocmSmi(rocm)).toEqual([{ temperatureC: 58, powerW: 120, memoryUsedMiB: 2048 }])
    expect(parseRocmSmi('not json')).toEqual([])
    const asked: string[] = []
    const reader = systemGpuReader(async (file) => (asked.push(file), file === 'rocm-smi' ? rocm : null))
    expect(await reader.read()).toEqual([{ temperatureC: 58, powerW: 120, memoryUsedMiB: 2048 }])
    await reader.read()
    expect(asked).toEqual(['nvidia-smi', 'rocm-smi', 'rocm-smi'])
  })

  it('refuses a resume temperature at or above the pause one', () => {
    const parsed = miningPolicySchema.safeParse({ ...DEFAULT_POLICY, thermal: { enabled: true, pauseAboveC: 80, resumeBelowC: 80 } })
    expect(parsed.success).toBe(false)
    expect(parsed.error?.issues[0]?.message).toBe('the resume temperature must be below the pause temperature')
    expect(miningPolicySchema.safeParse(DEFAULT_POLICY).success).toBe(true)
  })
})
