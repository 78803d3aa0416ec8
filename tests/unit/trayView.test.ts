import { describe, expect, it } from 'vitest'
import { trayChanges, trayView } from '../../src/main/electron/trayView.js'
import type { EarnSnapshot, RunningJob, UpdateSnapshot } from '../../src/shared/domain.js'

const noUpdate: Pick<UpdateSnapshot, 'state' | 'version'> = { state: 'up-to-date', version: null }
const job = (tokens: number): RunningJob => ({ jobId: 'j1', network: 'aipg', model: 'grid/tiny', tokens, startedAt: 1 })
const working = (tokens: number): Pick<EarnSnapshot, 'state' | 'detail' | 'running'> => ({
  state: 'working',
  detail: null,
  running: [job(tokens)],
})

/** How many times each part is redrawn over a series of snapshots, as DesktopTray.update applies them. */
function redraws(series: Array<[Pick<EarnSnapshot, 'state' | 'detail' | 'running'>, Pick<UpdateSnapshot, 'state' | 'version'>]>) {
  const count = { image: 0, tooltip: 0, menu: 0 }
  let before = null
  for (const [earn, update] of series) {
    const after = trayView(earn, update)
    const changes = trayChanges(before, after)
    for (const part of ['image', 'tooltip', 'menu'] as const) if (changes[part]) count[part]++
    before = after
  }
  return count
}

describe('the tray redraws only what the user would see change', () => {
  it('draws everything once, then nothing while only the token count of a running job grows', () => {
    const progress = Array.from({ length: 40 }, (_, i) => [working(i * 10), noUpdate] as [ReturnType<typeof working>, typeof noUpdate])
    expect(redraws(progress)).toEqual({ image: 1, tooltip: 1, menu: 1 })
  })

  it('redraws the tooltip when a job starts or ends, the menu when the miner stops or an update is ready', () => {
    const ready: Pick<UpdateSnapshot, 'state' | 'version'> = { state: 'ready', version: '1.2.3' }
    expect(
      redraws([
        [{ state: 'waiting', detail: null, running: [] }, noUpdate],
        [working(5), noUpdate],
        [{ state: 'waiting', detail: null, running: [] }, noUpdate],
        [{ state: 'waiting', detail: null, running: [] }, ready],
        [{ state: 'stopping', detail: null, running: [] }, ready],
        [{ state: 'off', detail: null, running: [] }, ready],
      ]),
      // image: mining, then idle; tooltip: waiting, 1 job, waiting, (stopping is still "earning"), not earning;
      // menu: Stop, +Restart to Update, Stopping…, Start.
    ).toEqual({ image: 2, tooltip: 4, menu: 4 })
  })
})
