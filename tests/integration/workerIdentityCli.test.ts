import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { runGridforge } from '../support/cliRun.js'
import { tempDataDir } from '../support/paths.js'

const temp = tempDataDir()
const wallet = privateKeyToAccount(generatePrivateKey())
let grid: DevGrid | null = null
afterEach(async () => {
  await grid?.close()
  grid = null
})
afterAll(() => temp.cleanup())

const gridforge = (args: string[]) => runGridforge(temp.dir, args)

const keyFile = () => {
  const file = join(temp.dir, 'grid-key')
  writeFileSync(file, 'dev-key-alice\n')
  return file
}

const worker = (g: DevGrid, extra: string[]) =>
  gridforge([
    'worker',
    '--network',
    'aipg',
    '--grid-url',
    g.url,
    '--api-key-file',
    keyFile(),
    '--model',
    'stories260K',
    '--name',
    'cli-signed',
    ...extra,
  ])

describe('gridforge worker with an installed identity', () => {
  it('says what it signs, and its results are recorded signed; with two slots it says only one name is covered', async () => {
    const request = await gridforge(['identity', 'request', '--payout-wallet', wallet.address, '--name', 'cli-signed', '--json'])
    expect(request.code).toBe(0)
    const { message } = JSON.parse(request.stdout) as { message: string }
    expect((await gridforge(['identity', 'install', '--signature', await wallet.signMessage({ message })])).code).toBe(0)
    const address = (JSON.parse((await gridforge(['identity', 'show', '--json'])).stdout) as { address: string }).address

    grid = await startDevGrid({
      mode: 'aipg',
      keys: { 'dev-key-alice': { user: 'alice#1', scopes: ['worker.connect'], payoutWallet: wallet.address } },
    })
    const id = grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 30 } })
    const one = await worker(grid, ['--max-jobs', '1'])
    expect(one.code).toBe(0)
    expect(one.stderr).toContain(`Results are signed by worker key ${address} (delegation for "cli-signed" until `)
    const result = grid.aipg.results.get(id)!
    const text = String(result.done!.full_text)
    expect(result).toMatchObject({ signed: true, resultHash: createHash('sha256').update(text).digest('hex') })

    grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 30 } })
    const two = await worker(grid, ['--max-jobs', '1', '--slots', '2'])
    expect(two.code).toBe(0)
    expect(two.stderr).toContain('The delegation covers the worker name "cli-signed"')
    expect(two.stderr).toContain('none of them is signed')
    const slotRegistrations = grid.aipg.registrations.slice(1)
    expect(slotRegistrations.map((r) => [r.name, 'worker_identity' in r])).toEqual(
      expect.arrayContaining([
        ['cli-signed-1', false],
        ['cli-signed-2', false],
      ]),
    )
  })
})
