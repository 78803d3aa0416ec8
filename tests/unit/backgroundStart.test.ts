import { describe, expect, it } from 'vitest'
import { NO_MODEL_CHOSEN, startEarningInBackground, type BackgroundStartPorts } from '../../src/main/earn/backgroundStart.js'
import type { ModelChoice, QuickStartSnapshot } from '../../src/shared/quickStart.js'
import { AppError } from '../../src/shared/result.js'

const lastModel: ModelChoice = { kind: 'catalog', catalogId: 'qwen' }

function ended(phase: QuickStartSnapshot['phase'], failure: QuickStartSnapshot['failure'] = null): QuickStartSnapshot {
  return { phase, model: lastModel, modelName: 'Qwen', steps: [], failure }
}

/** Fake services: nothing loaded, nothing mining, no earlier Start earning, unless the test says so. */
function ports(overrides: Partial<BackgroundStartPorts> = {}) {
  const calls: string[] = []
  const fake: BackgroundStartPorts = {
    isMining: () => false,
    modelLoaded: () => false,
    startMiner: async () => calls.push('start-miner'),
    lastChoice: () => null,
    runStartEarning: async (choice) => (calls.push(`start-earning:${JSON.stringify(choice)}`), ended('done')),
    ...overrides,
  }
  return { fake, calls }
}

describe('Start earning from the tray or at login', () => {
  it('with no model loaded runs Start earning with the model of the last one', async () => {
    const { fake, calls } = ports({ lastChoice: () => lastModel })
    expect(await startEarningInBackground(fake)).toEqual({ ok: true })
    expect(calls).toEqual([`start-earning:${JSON.stringify(lastModel)}`])
  })

  it('with a model loaded starts the miner on it', async () => {
    const { fake, calls } = ports({ modelLoaded: () => true, lastChoice: () => lastModel })
    expect(await startEarningInBackground(fake)).toEqual({ ok: true })
    expect(calls).toEqual(['start-miner'])
  })

  it('does nothing while already earning', async () => {
    const { fake, calls } = ports({ isMining: () => true })
    expect(await startEarningInBackground(fake)).toEqual({ ok: true })
    expect(calls).toEqual([])
  })

  it('gives the sentence to show the user when it cannot start', async () => {
    expect(await startEarningInBackground(ports().fake)).toEqual({ ok: false, message: NO_MODEL_CHOSEN })
    const noKey = ports({
      modelLoaded: () => true,
      startMiner: async () => Promise.reject(new AppError('BAD_REQUEST', 'Add your AIPG API key before you start earning.')),
    })
    expect(await startEarningInBackground(noKey.fake)).toEqual({ ok: false, message: 'Add your AIPG API key before you start earning.' })
    const failure = {
      step: 'connect' as const,
      message: 'Could not connect to the grid: the grid could not be reached.',
      choices: ['retry' as const, 'cancel' as const],
    }
    const offline = ports({ lastChoice: () => lastModel, runStartEarning: async () => ended('failed', failure) })
    expect(await startEarningInBackground(offline.fake)).toEqual({ ok: false, message: failure.message })
    const busy = ports({
      lastChoice: () => lastModel,
      runStartEarning: () => Promise.reject(new AppError('BUSY', 'Start earning is already under way.')),
    })
    expect(await startEarningInBackground(busy.fake)).toEqual({ ok: false, message: 'Start earning is already under way.' })
  })

  it('a Start earning the user cancels in the window is not a failure', async () => {
    const { fake } = ports({ lastChoice: () => lastModel, runStartEarning: async () => ended('cancelled') })
    expect(await startEarningInBackground(fake)).toEqual({ ok: true })
  })
})
