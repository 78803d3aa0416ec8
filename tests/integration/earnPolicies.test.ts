import { describe, expect, it } from 'vitest'
import type { IdleSource } from '../../src/main/earn/miningPolicy.js'
import type { EarnSnapshot } from '../../src/shared/domain.js'
import { until, useEarnHost } from './hostHarness.js'

/** The user and the power supply, as the test says they are. */
const user = { idle: 3600, battery: false }
const idleSource: IdleSource = { idleSeconds: () => user.idle, onBattery: () => user.battery }

const { temp, host, grid, call, earn } = useEarnHost({ horde: { mode: 'horde' } }, { idleSource })

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('mining policies applied by the host', () => {
  it('takes no new grid job once the user is back or the PC is on battery, while the job in flight completes and is rewarded', async () => {
    await call('engine.load', { path: temp.model })
    await call('earn.configure', {
      network: 'horde',
      gridUrl: grid('horde').url,
      workerName: 'policy-rig',
      slots: 1,
      maxLength: 1500,
      maxContextLength: 2048,
    })
    await call('earn.setApiKey', { network: 'horde', apiKey: 'dev-key-alice' })
    const policy = await call('earn.setPolicy', {
      idleMinutes: 1,
      pauseOnBattery: true,
      schedule: { enabled: false, windows: [] },
      localCooldownSeconds: 1,
    })
    expect((policy as EarnSnapshot).policy.idleMinutes).toBe(1)

    const [inFlight] = grid('horde').enqueueHorde({ payload: { prompt: 'Once upon a time', max_length: 1500, max_context_length: 2048 } })
    await call('earn.start', {})
    await until(() => earn()?.running.length === 1)

    // The user touches the mouse; the next policy poll (at most 2 s; here at once) closes the gate.
    user.idle = 0
    host().miningGate.check()
    expect(earn()?.running.map((job) => job.jobId)).toEqual([inFlight])
    expect(earn()?.pause).toMatchObject({ reason: 'user-active' })
    const pausedAt = Date.now()
    const [queued] = grid('horde').enqueueHorde({ payload: { prompt: 'The dog', max_length: 20, max_context_length: 2048 } })

    await until(() => grid('horde').horde.submits.find((s) => s.body.id === inFlight && s.status === 200))
    const paused = await until(() => (earn()?.state === 'paused' ? earn() : undefined))
    expect(paused.detail ?? paused.pause?.message).toMatch(/^Paused because you are using the PC/)
    expect(paused.status).toBe('paused')
    // Several idle-poll periods pass with a job waiting: none is taken.
    await sleep(3000)
    expect(grid('horde').horde.pops.filter((pop) => pop.at > pausedAt)).toEqual([])
    expect(grid('horde').pendingJobs().horde).toBe(1)
    expect(
      host()
        .earn.jobs(10)
        .find((job) => job.jobId === inFlight),
    ).toMatchObject({ state: 'ok', reward: expect.any(Number) })

    // The user leaves (idle a minute): mining resumes and takes the queued job.
    user.idle = 120
    await until(() => grid('horde').horde.submits.find((s) => s.body.id === queued && s.status === 200))
    await until(() => earn()?.state === 'waiting')
    expect(earn()?.pause).toBeNull()

    // Unplugged: paused on battery, in words.
    user.battery = true
    const onBattery = await until(() => (earn()?.state === 'paused' ? earn() : undefined), 10_000)
    expect(onBattery.detail).toMatch(/^Paused on battery/)
    user.battery = false
    await until(() => earn()?.state === 'waiting', 10_000)

    await call('earn.stop', {})
    await until(() => earn()?.state === 'off')
    expect(
      host()
        .earn.jobs(10)
        .filter((job) => job.state === 'ok')
        .map((job) => job.jobId)
        .sort(),
    ).toEqual([inFlight, queued].sort())
  })

  it('refuses a schedule with no window, keeping the saved policies', async () => {
    const refused = await host().dispatch('earn.setPolicy', {
      idleMinutes: 1,
      pauseOnBattery: true,
      schedule: { enabled: true, windows: [] },
      localCooldownSeconds: 1,
    })
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/add a window/) } })
    const saved = (await call('earn.status', {})) as EarnSnapshot
    expect(saved.policy).toMatchObject({ idleMinutes: 1, pauseOnBattery: true, schedule: { enabled: false }, localCooldownSeconds: 1 })
  })
})
