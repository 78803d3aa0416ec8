import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseNvidiaSmi, parseRocmSmi, systemGpuReader, type GpuReader, type GpuReading } from '../../src/main/lib/gpuReadings.js'
import { LocalUseGate } from '../../src/main/earn/localUseGate.js'
import { MiningGate } from '../../src/main/earn/miningGate.js'
import { alwaysIdle, DEFAULT_POLICY } from '../../src/main/earn/miningPolicy.js'
import { ThermalGuard } from '../../src/main/earn/thermalGuard.js'
import { miningPolicySchema } from '../../src/shared/miningPolicySchema.js'

const MIB = 1024 * 1024

/** A GPU whose temperature the test sets; null is "no reading". */
class FakeGpu implements GpuReader {
  temperature: number | null = 60
  read = async (): Promise<GpuReading[] | null> =>
    this.temperature === null
      ? null
      : [{ index: '0', temperatureCelsius: this.temperature, powerWatts: 200, memoryUsedBytes: 4000 * MIB, memoryTotalBytes: null }]
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
    expect(gate.pause()).toEqual({
      reason: 'thermal',
      message: 'Paused because the GPU is too hot (85 °C); mining resumes below 75 °C.',
      resumesAt: null,
    })
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
    // A tool that hangs is installed: no reading this time ([]), unlike a machine without one (null).
    expect(answer).toEqual([])
  })

  it('reads nvidia-smi and rocm-smi output, keeping what each card does not report as null', async () => {
    expect(parseNvidiaSmi('0, 67, 215.43, 10240, 24564\n1, [N/A], [N/A], 512, 24564\n2, 71, [Not Supported], 2048, 8192\n')).toEqual([
      { index: '0', temperatureCelsius: 67, powerWatts: 215.43, memoryUsedBytes: 10240 * MIB, memoryTotalBytes: 24564 * MIB },
      { index: '1', temperatureCelsius: null, powerWatts: null, memoryUsedBytes: 512 * MIB, memoryTotalBytes: 24564 * MIB },
      { index: '2', temperatureCelsius: 71, powerWatts: null, memoryUsedBytes: 2048 * MIB, memoryTotalBytes: 8192 * MIB },
    ])
    const rocm = JSON.stringify({
      card0: {
        'Temperature (Sensor edge) (C)': '58.0',
        'Average Graphics Package Power (W)': '120.0',
        'VRAM Total Used Memory (B)': String(2048 * MIB),
      },
      system: { 'Driver version': '6.0' },
    })
    const card0 = { index: '0', temperatureCelsius: 58, powerWatts: 120, memoryUsedBytes: 2048 * MIB, memoryTotalBytes: null }
    expect(parseRocmSmi(rocm)).toEqual([card0])
    expect(parseRocmSmi('not json')).toEqual([])
    const asked: string[] = []
    const reader = systemGpuReader(async (file) => (asked.push(file), file === 'rocm-smi' ? { stdout: rocm } : { missing: true }))
    expect(await reader.read()).toEqual([card0])
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
