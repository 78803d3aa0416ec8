import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Host } from '../../src/main/host/createHost.js'
import type { LocalApiSnapshot } from '../../src/shared/domain.js'
import { freePort } from '../support/freePort.js'
import { tempDataDir } from '../support/paths.js'
import { testHost } from './hostHarness.js'

const temp = tempDataDir()
let taken: Server
let takenPort = 0

beforeAll(async () => {
  takenPort = await freePort()
  taken = createServer()
  await new Promise<void>((resolve) => taken.listen(takenPort, '127.0.0.1', resolve))
})
afterAll(async () => {
  if (taken.listening) await new Promise((resolve) => taken.close(resolve))
  temp.cleanup()
})

describe('enabling the local API on a port another program holds', () => {
  it('refuses in words, keeps the API stored off, and a restarted host stays off with nothing tried', async () => {
    const host = testHost(temp)
    const answer = await host.dispatch('api.configure', { enabled: true, host: '127.0.0.1', port: takenPort, corsOrigins: [] })
    expect(answer.ok).toBe(false)
    if (answer.ok) return
    expect(answer.error.message).toBe(`Port ${takenPort} is already in use; choose another. The local API is off.`)
    const status = await host.dispatch('api.status', {})
    expect(status.ok && (status.value as LocalApiSnapshot)).toMatchObject({
      settings: { enabled: false, port: takenPort },
      running: false,
      error: answer.error.message,
    })
    await host.close()

    const restarted: Host = testHost(temp)
    const after = await restarted.dispatch('api.status', {})
    expect(after.ok && (after.value as LocalApiSnapshot)).toMatchObject({
      settings: { enabled: false, port: takenPort },
      running: false,
      error: null,
    })
    // Once the port is free, turning it on works and is stored on.
    await new Promise((resolve) => taken.close(resolve))
    const on = await restarted.dispatch('api.configure', { enabled: true, host: '127.0.0.1', port: takenPort, corsOrigins: [] })
    expect(on.ok && (on.value as LocalApiSnapshot)).toMatchObject({ settings: { enabled: true }, running: true, error: null })
    await restarted.close()
  })

  it('a start at launch on a port taken meanwhile says why, and is stored off', async () => {
    const port = await freePort()
    const first = testHost(temp)
    const on = await first.dispatch('api.configure', { enabled: true, host: '127.0.0.1', port, corsOrigins: [] })
    expect(on.ok).toBe(true)
    await first.close()

    const squatter = createServer()
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve))
    try {
      const launched = testHost(temp)
      await expect
        .poll(async () => {
          const status = await launched.dispatch('api.status', {})
          return status.ok ? (status.value as LocalApiSnapshot).error : null
        })
        .toBe(`Port ${port} is already in use; choose another. The local API is off.`)
      const status = await launched.dispatch('api.status', {})
      expect(status.ok && (status.value as LocalApiSnapshot)).toMatchObject({ settings: { enabled: false }, running: false })
      await launched.close()
    } finally {
      await new Promise((resolve) => squatter.close(resolve))
    }
  })
})
