import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { ledgerIn, runGridforge } from '../support/cliRun.js'
import { startLocalApiServe, type LocalApiServe } from '../support/localApiServe.js'
import { requireBuild, tempDataDir } from '../support/paths.js'

/** GridForge's own local API, in a `gridforge serve --api` process of its own, is the inference server the worker bridges to. */
const serverDir = tempDataDir()
const workerDir = tempDataDir()
let server: LocalApiServe
let grid: DevGrid | undefined

beforeAll(async () => {
  requireBuild()
  server = await startLocalApiServe(serverDir.dir, serverDir.model)
})
afterEach(() => grid?.close())
afterAll(async () => {
  await server?.serve.stop()
  serverDir.cleanup()
  workerDir.cleanup()
})

const gridforge = (args: string[]) => runGridforge(workerDir.dir, args)

function keyFile(name: string, key: string): string {
  const file = join(workerDir.dir, name)
  writeFileSync(file, `${key}\n`)
  return file
}

const bridgeArgs = (network: 'aipg' | 'horde', gridUrl: string, backendKey = server.tokenFile) => [
  'worker',
  '--backend',
  'openai',
  '--backend-url',
  server.apiUrl,
  '--backend-key-file',
  backendKey,
  '--backend-model',
  'stories260K',
  '--network',
  network,
  '--grid-url',
  gridUrl,
  '--api-key-file',
  keyFile('grid-key', 'dev-key-alice'),
  '--name',
  `bridge-${network}`,
  '--max-jobs',
  '1',
  '--max-context',
  '256',
]

describe("gridforge worker --backend openai, in front of another GridForge's local API", () => {
  it('takes an AIPG job from the grid, has the bridged server write it, answers the grid and records it in the ledger', async () => {
    grid = await startDevGrid({ mode: 'aipg' })
    const jobId = grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 24 } })
    const result = await gridforge(bridgeArgs('aipg', grid.url))
    expect(result.stderr).not.toMatch(/\n\s+at /)
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(
      /Backend openai "stories260K": streaming yes, .*context 256 \(from --max-context; the server does not report it\)\./,
    )
    expect(result.stderr).not.toContain(readFileSync(server.tokenFile, 'utf8').trim())
    expect(grid.aipg.registrations.at(-1)).toMatchObject({ name: 'bridge-aipg', models: ['grid/stories260K'], max_context_length: 256 })
    const answer = grid.aipg.results.get(jobId)!
    expect(answer.text.length).toBeGreaterThan(0)
    expect(answer.error).toBeUndefined()
    expect(result.stdout).toMatch(/ grid\/stories260K {2}\d+ tokens .* ok\n/)
    expect(result.stdout).not.toContain('Once upon a time')
    const [row] = ledgerIn(workerDir.dir).filter((r) => r.jobId === jobId)
    expect(row).toMatchObject({ network: 'aipg', state: 'ok', model: 'grid/stories260K' })
    expect(row!.completionTokens).toBeGreaterThan(0)
  })

  it("runs a Horde prompt through the server's /v1/completions", async () => {
    grid = await startDevGrid({ mode: 'horde' })
    grid.enqueueHorde({ payload: { prompt: 'Once upon a time', max_length: 16, max_context_length: 200 } })
    const result = await gridforge(bridgeArgs('horde', grid.url))
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/koboldcpp\/stories260K {2}\d+ tokens .* ok\n/)
  })

  it('runs a Horde prompt through the KoboldAI API of the same server, with the context it reports', async () => {
    grid = await startDevGrid({ mode: 'horde' })
    grid.enqueueHorde({ payload: { prompt: 'Once upon a time', max_length: 16, max_context_length: 200 } })
    const args = bridgeArgs('horde', grid.url)
    args.splice(args.indexOf('openai'), 1, 'kobold')
    args.splice(args.indexOf(server.apiUrl), 1, server.apiUrl.replace(/\/v1$/, ''))
    const result = await gridforge(args)
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(
      /Backend kobold "stories260K": streaming yes, context \d+ \(from \/api\/v1\/config\/max_context_length\)\./,
    )
    expect(result.stdout).toMatch(/koboldcpp\/stories260K {2}\d+ tokens .* ok\n/)
  })

  it('does not start, and never registers, when the server refuses the backend key', async () => {
    grid = await startDevGrid({ mode: 'aipg' })
    const result = await gridforge(bridgeArgs('aipg', grid.url, keyFile('wrong-backend-key', 'not-the-token-987')))
    expect(result.code).toBe(2)
    const errors = result.stderr
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('gridforge:'))
    expect(errors).toEqual([expect.stringMatching(/refused the backend key \(401\)/)])
    expect(result.stderr).not.toContain('not-the-token-987')
    expect(grid.aipg.registrations).toEqual([])
  })

  it('runs the grid readiness self-test against the bridged model, contacting no grid', async () => {
    const result = await gridforge([
      'worker',
      '--self-test',
      '--backend',
      'openai',
      '--backend-url',
      server.apiUrl,
      '--backend-key-file',
      server.tokenFile,
      '--backend-model',
      'stories260K',
      '--seed',
      '42',
      '--max-length',
      '64',
      '--max-context',
      '256',
    ])
    expect(result.stderr).not.toMatch(/\n\s+at /)
    expect(result.stderr).toMatch(
      /Grid readiness self-test of "stories260K" through http:\/\/127\.0\.0\.1:\d+\/v1 \(context 256, max 64 tokens\)/,
    )
    expect(result.code).toBe(1)
    const lines = result.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^family\s+result\s+time\s+tokens\s+why$/)
    // A story model cannot echo a hex token; that it fails shows the scorer read a real answer through the bridge.
    expect(lines[1]).toMatch(/^echo\s+FAIL\s+[\d.]+ s\s+\d+\s+\S/)
    expect(lines.at(-1)).toMatch(/^Not ready for the grid: \d+ famil(y|ies) failed\.$/)
  })

  it.each([
    ['an unknown backend type', ['--backend', 'tgi'], /--backend must be openai or kobold, not "tgi"/],
    [
      'a URL where nothing listens',
      ['--backend-url', 'http://127.0.0.1:9/v1'],
      /Could not reach the inference server at http:\/\/127\.0\.0\.1:9\./,
    ],
    ['a key inside the URL', ['--backend-url', 'http://user:secret-in-url@127.0.0.1:9/v1'], /must not contain a user or password/],
    ['a model the server does not have', ['--backend-model', 'llama3'], /does not serve "llama3"; it serves stories260K/],
    ['a KoboldAI backend for AIPG chats', ['--backend', 'kobold'], /AIPG jobs are chats: use --backend openai/],
  ])('exits with one sentence on %s', async (_name, [flag, value], message) => {
    const args = bridgeArgs('aipg', 'http://127.0.0.1:9')
    args[args.indexOf(flag!) + 1] = value!
    const result = await gridforge(args)
    expect(result.code).toBe(2)
    const errors = result.stderr
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('gridforge:'))
    expect(errors).toEqual([expect.stringMatching(message)])
    expect(result.stderr).not.toContain('secret-in-url')
  })
  it('exits with one sentence on a --grid-model the registry does not have, before it contacts the server', async () => {
    const result = await gridforge([...bridgeArgs('aipg', 'http://127.0.0.1:9'), '--grid-model', 'GPT-OSS-21B'])
    expect(result.code).toBe(2)
    expect(
      result.stderr
        .trim()
        .split('\n')
        .filter((line) => line.startsWith('gridforge:')),
    ).toEqual([expect.stringMatching(/--grid-model "gpt-oss-21b" is not in AIPG's model registry \(it lists gpt-oss-20b, /)])
    expect(result.stderr).not.toMatch(/Backend openai/)
  })
})
