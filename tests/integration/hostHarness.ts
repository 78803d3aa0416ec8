import { afterAll, beforeAll } from 'vitest'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import { createHost, type Host, type HostOptions } from '../../src/main/host/createHost.js'
import type { EarnSnapshot, Message } from '../../src/shared/domain.js'
import { startDevGrid, type DevGrid, type DevGridOptions } from '../support/devGrid/index.js'
import { engineEntry, requireBuild, tempDataDir } from '../support/paths.js'

type TempDataDir = ReturnType<typeof tempDataDir>

/** A headless host on the test's data folder whose engine runs on the CPU; `options` add the test's fakes. */
export function testHost(temp: TempDataDir, options: Partial<HostOptions> = {}): Host {
  requireBuild()
  return createHost({
    dataDir: temp.dir,
    shell: 'headless',
    version: '0.0.0-test',
    launchEngine: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }),
    ...options,
  })
}

/** Calls the host as the UI does; a failure throws with the host's sentence. */
async function dispatch<T>(host: Host, name: string, request: unknown): Promise<T> {
  const result = await host.dispatch(name, request)
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
  return result.value as T
}

/** Resolves with what `check` gives once it gives something (not undefined, null or false); polls every 10 ms. */
export function until<T>(check: () => T | undefined | null | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  return new Promise((resolve, reject) => {
    const poll = () => {
      const value = check()
      if (value !== undefined && value !== null && value !== false) return resolve(value)
      if (Date.now() > deadline) return reject(new Error('timed out'))
      setTimeout(poll, 10)
    }
    poll()
  })
}

/**
 * An in-process host that earns on dev grids on 127.0.0.1, for the test file that calls it: the grids (one per
 * name in `grids`) and the host start in `beforeAll`, with the tiny model loaded when `loadModel`, and all close
 * in `afterAll`. `earn()` is the last earn snapshot the host sent.
 */
export function useEarnHost<G extends string>(
  grids: Record<G, DevGridOptions>,
  options: Partial<HostOptions> = {},
  { loadModel = false } = {},
) {
  const temp = tempDataDir()
  let current: Host | null = null
  const started = new Map<G, DevGrid>()
  let snapshot: EarnSnapshot | null = null
  beforeAll(async () => {
    requireBuild()
    for (const [name, gridOptions] of Object.entries(grids) as Array<[G, DevGridOptions]>)
      started.set(name, await startDevGrid(gridOptions))
    current = testHost(temp, options)
    current.events.subscribe((name, payload) => {
      if (name === 'earn.snapshot') snapshot = payload as EarnSnapshot
    })
    if (loadModel) await dispatch(current, 'engine.load', { path: temp.model })
  })
  afterAll(async () => {
    await current?.close()
    for (const grid of started.values()) await grid.close()
    temp.cleanup()
  })
  const host = (): Host => {
    if (!current) throw new Error('the test host is not started')
    return current
  }
  const grid = (name: G): DevGrid => {
    const found = started.get(name)
    if (!found) throw new Error(`the dev grid ${name} is not started`)
    return found
  }
  const call = <T = unknown>(name: string, request: unknown): Promise<T> => dispatch<T>(host(), name, request)
  return { temp, host, grid, call, earn: () => snapshot }
}

/**
 * An in-process host on a fresh data folder with the tiny model loaded, for the test file that calls it
 * (set up in `beforeAll`, closed in `afterAll`). `host()` is valid inside tests.
 */
export function useTestHost() {
  const temp = tempDataDir()
  let current: Host | null = null
  beforeAll(async () => {
    current = testHost(temp)
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

  const call = <T>(name: string, request: unknown): Promise<T> => dispatch<T>(host(), name, request)

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
