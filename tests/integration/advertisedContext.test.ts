import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createEarnService } from '../../src/main/earn/earnService.js'
import { LocalUseGate } from '../../src/main/earn/localUseGate.js'
import { MiningGate } from '../../src/main/earn/miningGate.js'
import { alwaysIdle } from '../../src/main/earn/miningPolicy.js'
import { FileSecretStore } from '../../src/main/store/secretStore.js'
import type { Engine } from '../../src/main/engine/engine.js'
import { openDatabase } from '../../src/main/store/database.js'
import { JobsRepository } from '../../src/main/store/jobsRepository.js'
import { SettingsRepository } from '../../src/main/store/settingsRepository.js'
import type { LoadedModel } from '../../src/shared/domain.js'
import { startDevGrid } from '../support/devGrid/index.js'
import { tempDataDir } from '../support/paths.js'

const temp = tempDataDir()
afterAll(() => temp.cleanup())

/** The context per sequence each reload for slots asked for. */
const askedContexts: Array<number | undefined> = []

/** An engine whose reload for more sequences leaves each one a smaller context, as a full GPU does. */
function shrinkingEngine(): Engine {
  let model: LoadedModel = {
    path: '/models/tiny.gguf',
    fileName: 'tiny.gguf',
    sizeBytes: 1,
    architecture: null,
    contextSize: 8192,
    hasChatTemplate: true,
    gpuLayers: 0,
    threads: 1,
  }
  return {
    snapshot: () => ({ state: 'ready', gpu: null, model, loading: null, notice: null, restarts: 0 }),
    subscribe: () => () => undefined,
    load: async () => model,
    unload: async () => undefined,
    ensureSequences: async (count, contextSize) => {
      askedContexts.push(contextSize)
      model = { ...model, contextSize: Math.floor(8192 / count / 256) * 256 }
    },
    generate: async () => ({ text: 'Once', finishReason: 'stop', promptTokens: 1, completionTokens: 1, durationMs: 1, firstTokenMs: 1 }),
    close: async () => undefined,
  }
}

describe('the advertised context', () => {
  it('is never more than the loaded context holds, also after the reload for more slots', async () => {
    const grid = await startDevGrid({ mode: 'aipg' })
    const db = openDatabase(join(temp.dir, 'gridforge.db'))
    const earn = createEarnService({
      engine: shrinkingEngine(),
      ledger: new JobsRepository(db),
      settings: new SettingsRepository(db),
      secrets: new FileSecretStore(join(temp.dir, 'secrets')),
      version: '0.0.0-test',
      gate: new MiningGate(new LocalUseGate(), alwaysIdle),
    })
    try {
      earn.configure({ network: 'aipg', gridUrl: grid.url, workerName: 'ctx-rig', slots: 3, maxLength: 512, maxContextLength: 8192 })
      await earn.setApiKey('aipg', 'dev-key-alice')
      const connected = new Promise<void>((resolve) => {
        const off = earn.subscribe((name, payload) => {
          if (name === 'earn.snapshot' && payload.state === 'waiting') {
            off()
            resolve()
          }
        })
      })
      await earn.start()
      await connected
      const registrations = grid.aipg.registrations.filter((r) => Array.isArray(r.models) && r.models.length > 0)
      expect(registrations.length).toBeGreaterThan(0)
      // 4 sequences (3 slots and chat) of an 8,192-token budget: 2,048 each, so the context probes (≥ 8,192) are never sent.
      for (const registration of registrations) expect(registration.max_context_length).toBe(2048)
      // The reload asked for the Earn settings' whole context per slot; the engine holds what fits.
      expect(askedContexts).toEqual([8192])
    } finally {
      await earn.close()
      db.close()
      await grid.close()
    }
  })
})
