import { afterAll, beforeAll } from 'vitest'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import { createHost, type Host } from '../../src/main/host/createHost.js'
import type { Message } from '../../src/shared/domain.js'
import { engineEntry, requireBuild, tempDataDir } from '../support/paths.js'

/**
 * An in-process host on a fresh data folder with the tiny model loaded, for the test file that calls it
 * (set up in `beforeAll`, closed in `afterAll`). `host()` is valid inside tests.
 */
export function useTestHost() {
  const temp = tempDataDir()
  let current: Host | null = null
  beforeAll(async () => {
    requireBuild()
    current = createHost({
      dataDir: temp.dir,
      shell: 'headless',
      version: '0.0.0-test',
      launchEngine: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }),
    })
    await current.engine.load(temp.model)
  })
  afterAll(async () => {
    await current?.close()
    temp.cleanup()
  })
  const host = (): Host => {
    if (!current) throw new Error('the test host is not started')
    return current
  }

  /** Calls the host as the UI does; a failure throws with the host's sentence. */
  async function call<T>(name: string, request: unknown): Promise<T> {
    const result = await host().dispatch(name, request)
    if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
    return result.value as T
  }

  /** Resolves when the reply with this id is finished (complete, stopped or failed). */
  function finished(messageId: string): Promise<Message> {
    return new Promise((resolve) => {
      const off = host().events.subscribe((name, payload) => {
        if (name === 'chat.message' && (payload as Message).id === messageId) {
          off()
          resolve(payload as Message)
        }
      })
    })
  }

  return { temp, host, call, finished }
}
