import { ESLint } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'

const lint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname })

async function errorsFor(file: string, code: string): Promise<string[]> {
  const [result] = await lint.lintText(code, { filePath: file })
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('layer rules (docs/ARCHITECTURE.md) are enforced by lint', () => {
  // The first lint loads the config and its plugins (seconds on a busy machine); the cases then take milliseconds.
  beforeAll(() => errorsFor('src/shared/x.ts', 'export {}\n'), 60_000)

  it.each([
    ['src/renderer/src/x.ts', "import { readFileSync } from 'node:fs'"],
    ['src/renderer/src/x.ts', "import { ipcRenderer } from 'electron'"],
    ['src/renderer/src/x.ts', "import { createHost } from '../../main/host/createHost.js'"],
    ['src/worker/x.ts', "import Database from 'better-sqlite3'"],
    ['src/worker/x.ts', "import { getLlama } from 'node-llama-cpp'"],
    ['src/worker/x.ts', "import { ChatService } from '../main/chat/chatService.js'"],
    ['src/shared/x.ts', "import { join } from 'node:path'"],
    ['src/shared/x.ts', "import { join } from 'path'"],
    ['src/main/chat/x.ts', "import { app } from 'electron'"],
    ['src/main/chat/x.ts', "import { getLlama } from 'node-llama-cpp'"],
    ['src/preload/x.ts', "import { z } from 'zod'"],
    ['src/grid/x.ts', "import { app } from 'electron'"],
    ['src/grid/x.ts', "import Database from 'better-sqlite3'"],
    ['src/grid/x.ts', "import { getLlama } from 'node-llama-cpp'"],
    ['src/grid/x.ts', "import { useState } from 'react'"],
    ['src/grid/x.ts', "import { KeyOrigins } from '../main/earn/keyOrigins.js'"],
    ['src/grid/x.ts', "import { AipgConnection } from '../worker/transports/aipgSocket.js'"],
    ['src/shared/x.ts', "import { apiUrl } from '../grid/gridUrls.js'"],
    ['src/renderer/src/x.ts', "import { gridHeaders } from '../../grid/gridAuth.js'"],
    ['src/grid/identity/x.ts', "import { privateKeyToAccount } from 'viem/accounts'"],
    ['src/main/identity/x.ts', "import { recoverMessageAddress } from 'viem'"],
    ['src/worker/x.ts', "import { recoverMessageAddress } from 'viem'"],
    ['src/main/identity/x.ts', "import { ChatService } from '../chat/chatService.js'"],
    ['src/main/earn/x.ts', "import { WorkerIdentityService } from '../identity/workerIdentityService.js'"],
    ['src/main/earn/x.ts', "import { BridgeService } from '../bridge/bridgeService.js'"],
    ['src/main/bridge/x.ts', "import { Miner } from '../earn/miner.js'"],
  ])('%s may not: %s', async (file, code) => {
    expect(await errorsFor(file, `${code}\n`)).not.toHaveLength(0)
  })

  it.each([
    ['src/main/electron/x.ts', "import { app } from 'electron'"],
    ['src/main/models/x.ts', "import { readGgufFileInfo } from 'node-llama-cpp'"],
    ['src/main/engine/llamaRuntime.ts', "import { getLlama } from 'node-llama-cpp'"],
    ['src/worker/x.ts', "import { z } from 'zod'"],
    ['src/renderer/src/x.ts', "import type { Message } from '../../shared/domain'"],
    ['src/grid/x.ts', "import { gridUrlProblem } from '../shared/gridUrl.js'"],
    ['src/grid/x.ts', "import { z } from 'zod'"],
    ['src/worker/x.ts', "import { apiUrl } from '../grid/gridUrls.js'"],
    ['src/main/earn/x.ts', "import { GridError } from '../../grid/gridError.js'"],
  ])('%s may: %s', async (file, code) => {
    expect(await errorsFor(file, `${code}\n`)).toEqual([])
  })
})

describe('floors inside src/main are enforced by lint', () => {
  it.each([
    // Only host/ and the shells import host/: services own their events instead of emitting on the host's bus.
    ['src/main/chat/x.ts', "import type { HostEvents } from '../host/events.js'"],
    ['src/main/earn/x.ts', "import type { HostEvents } from '../host/events.js'"],
    ['src/main/models/x.ts', "import { createHost } from '../host/createHost.js'"],
    ['src/main/localApi/x.ts', "import type { HostEvents } from '../host/events.js'"],
    ['src/main/engine/x.ts', "import type { Host } from '../host/createHost.js'"],
    ['src/main/engine/llamaRuntime.ts', "import type { Host } from '../host/createHost.js'"],
    // Features do not import each other's internals.
    ['src/main/earn/x.ts', "import type { ModelsService } from '../models/modelsService.js'"],
    ['src/main/models/x.ts', "import { secretName } from '../earn/gridCredentials.js'"],
    ['src/main/chat/x.ts', "import { LocalApiService } from '../localApi/localApiService.js'"],
    ['src/main/localApi/x.ts', "import { ChatService } from '../chat/chatService.js'"],
    ['src/main/engine/x.ts', "import { loadCatalog } from '../models/catalog.js'"],
    ['src/main/chat/x.ts', "import { EngineSupervisor } from '../engine/engineSupervisor.js'"],
    ['src/main/chat/grid/x.ts', "import { EarnService } from '../../earn/earnService.js'"],
    // No feature imports a shell; the host imports no shell either (the shells build the host).
    ['src/main/earn/x.ts', "import { startHeadlessServer } from '../server/headlessServer.js'"],
    ['src/main/host/x.ts', "import { startHeadlessServer } from '../server/headlessServer.js'"],
    ['src/main/host/x.ts', "import { USAGE } from '../cli/usage.js'"],
    ['src/main/host/x.ts', "import { DesktopTray } from '../electron/desktopTray.js'"],
    // store/ imports no feature; lib/ imports nothing else of main.
    ['src/main/store/x.ts', "import { DEFAULT_POLICY } from '../earn/miningPolicy.js'"],
    ['src/main/store/x.ts', "import type { Engine } from '../engine/engine.js'"],
    ['src/main/lib/x.ts', "import { openDatabase } from '../store/database.js'"],
    ['src/main/lib/x.ts', "import type { Engine } from '../engine/engine.js'"],
    // A new folder under src/main is held to the floor rule before anyone names it.
    ['src/main/metrics/x.ts', "import type { HostEvents } from '../host/events.js'"],
    ['src/main/metrics/x.ts', "import { startHeadlessServer } from '../server/headlessServer.js'"],
    // The older main rules still hold in every feature folder.
    ['src/main/earn/x.ts', "import { app } from 'electron'"],
    ['src/main/localApi/x.ts', "import { getLlama } from 'node-llama-cpp'"],
  ])('%s may not: %s', async (file, code) => {
    expect(await errorsFor(file, `${code}\n`)).not.toHaveLength(0)
  })

  it.each([
    ['src/main/chat/x.ts', "import type { Engine } from '../engine/engine.js'"],
    ['src/main/earn/x.ts', "import type { SecretStore } from '../store/secretStore.js'"],
    ['src/main/earn/x.ts', "import { Emitter } from '../lib/emitter.js'"],
    ['src/main/earn/x.ts', "import { createWorker } from '../../worker/jobLoop.js'"],
    ['src/main/earn/x.ts', "import type { WorkerSigner } from '../../grid/identity/workerSigner.js'"],
    ['src/main/earn/x.ts', "import { bothGates } from '../../worker/bridge/bothGates.js'"],
    ['src/main/host/x.ts', "import { createEarnService } from '../earn/earnService.js'"],
    ['src/main/host/x.ts', "import { LocalApiService } from '../localApi/localApiService.js'"],
    ['src/main/server/x.ts', "import type { Host } from '../host/createHost.js'"],
    ['src/main/cli/x.ts', "import { createHost } from '../host/createHost.js'"],
    ['src/main/cli.ts', "import { defaultDataDir } from './host/dataDir.js'"],
    ['src/main/metrics/x.ts', "import type { EarnSnapshot } from '../../shared/domain.js'"],
    ['src/main/electron/x.ts', "import { runtimePaths } from '../host/runtimePaths.js'"],
    ['src/main/engine/llamaRuntime.ts', "import { getLlama } from 'node-llama-cpp'"],
  ])('%s may: %s', async (file, code) => {
    expect(await errorsFor(file, `${code}\n`)).toEqual([])
  })
})
