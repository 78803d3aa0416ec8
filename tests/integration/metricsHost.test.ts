import { describe, expect, it } from 'vitest'
import type { IdleSource } from '../../src/main/earn/miningPolicy.js'
import { poll } from '../support/prometheus.js'
import { useEarnHost } from './hostHarness.js'

const user = { idle: 3600, battery: false }
const idleSource: IdleSource = { idleSeconds: () => user.idle, onBattery: () => user.battery }
const { temp, host, grid, call } = useEarnHost({ horde: { mode: 'horde' } }, { idleSource })

/** One series' value in the host's exposition text. */
async function series(line: string): Promise<number | undefined> {
  const found = (await host().metrics.registry.metrics()).split('\n').find((candidate) => candidate.startsWith(`${line} `))
  return found === undefined ? undefined : Number(found.slice(line.length + 1))
}

describe("the host's metrics, from its services' events", () => {
  it("counts the miner's jobs and kudos, and shows the pause reason when the user comes back", async () => {
    await call('engine.load', { path: temp.model })
    expect(await series('gridforge_model_loaded{model="stories260K"}')).toBe(1)
    await call('earn.configure', {
      network: 'horde',
      gridUrl: grid('horde').url,
      workerName: 'metrics-host',
      slots: 1,
      maxLength: 64,
      maxContextLength: 512,
    })
    await call('earn.setApiKey', { network: 'horde', apiKey: 'dev-key-alice' })
    await call('earn.setPolicy', {
      idleMinutes: 1,
      pauseOnBattery: true,
      schedule: { enabled: false, windows: [] },
      localCooldownSeconds: 1,
    })
    grid('horde').enqueueHorde({ payload: { prompt: 'Once upon a time', max_length: 24, max_context_length: 512 } })
    await call('earn.start', {})

    expect(await poll(async () => (await series('gridforge_jobs_total{network="horde",state="ok"}')) === 1, 20_000, 50)).toBe(true)
    expect(await series('gridforge_rewards_total{network="horde"}')).toBeGreaterThan(0)
    expect(await series('gridforge_tokens_generated_total{network="horde"}')).toBeGreaterThan(0)

    user.idle = 0
    host().miningGate.check()
    expect(
      await poll(async () => (await series('gridforge_miner_state{state="paused-user-active",status="paused"}')) === 1, 20_000, 50),
    ).toBe(true)
    expect(await series('gridforge_miner_state{state="waiting",status="mining"}')).toBe(0)

    await call('earn.stop', {})
    expect(await poll(async () => (await series('gridforge_miner_state{state="off",status="idle"}')) === 1, 20_000, 50)).toBe(true)
  })
})
