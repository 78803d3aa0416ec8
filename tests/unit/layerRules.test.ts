import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const lint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname })

async function errorsFor(file: string, code: string): Promise<string[]> {
  const [result] = await lint.lintText(code, { filePath: file })
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('layer rules (DESIGN.md) are enforced by lint', () => {
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
