import { afterAll, describe, expect, it } from 'vitest'
import type { Host } from '../../src/main/host/createHost.js'
import type { LocalModel } from '../../src/shared/models.js'
import type { QuickStartSnapshot } from '../../src/shared/quickStart.js'
import { tempDataDir } from '../support/paths.js'
import { testHost } from './hostHarness.js'

const temp = tempDataDir()
afterAll(() => temp.cleanup())

const openHost = (): Host => testHost(temp)

async function value<T>(host: Host, name: string, request: unknown): Promise<T> {
  const result = await host.dispatch(name, request)
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
  return result.value as T
}

describe('Start earning from the tray or at login, after a restart', () => {
  it('loads the model of the last Start earning and tells why it could not earn', async () => {
    const first = openHost()
    await first.dispatch('models.register', { path: temp.model })
    const model = (await value<LocalModel[]>(first, 'models.listLocal', {})).find((local) => local.path === temp.model)!
    await value(first, 'earn.quickStart', { model: { kind: 'local', modelId: model.id } })
    await first.close()

    const second = openHost()
    try {
      // Nothing loaded in this run: the Earn view's Start and the tray both know the model to use.
      expect(await value<QuickStartSnapshot>(second, 'earn.quickStartStatus', {})).toMatchObject({
        phase: 'idle',
        model: { kind: 'local', modelId: model.id },
      })
      expect(second.engine.snapshot().model).toBeNull()
      const outcome = await second.startEarningInBackground()
      expect(second.engine.snapshot().model?.path).toBe(temp.model)
      expect(outcome).toEqual({ ok: false, message: expect.stringMatching(/^Could not connect to the grid: Add your AIPG API key/) })
    } finally {
      await second.close()
    }
  })
})
