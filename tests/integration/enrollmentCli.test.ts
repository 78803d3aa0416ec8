import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { cliEntry, requireBuild } from '../support/paths.js'

const dataDir = mkdtempSync(join(tmpdir(), 'gridforge-enroll-cli-'))
const wallet = privateKeyToAccount(generatePrivateKey())
let grid: DevGrid

beforeAll(async () => {
  requireBuild()
  grid = await startDevGrid({
    mode: 'aipg',
    workerEnrollment: true,
    keys: { 'dev-key-alice': { user: 'alice#1', scopes: ['worker.connect'], payoutWallet: wallet.address } },
  })
})
afterAll(async () => {
  await grid.close()
  rmSync(dataDir, { recursive: true, force: true })
})

/** `gridforge identity enroll …` running, with what it printed so far. */
function enroll(...args: string[]) {
  const child = spawn(process.execPath, [cliEntry, 'identity', 'enroll', ...args, '--data-dir', dataDir])
  const output = { stdout: '', stderr: '' }
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  return { output, exited }
}

describe('gridforge identity enroll', () => {
  it('prints the approval link, waits for the console, installs the delegation and writes the API key file (0600)', async () => {
    const keyFile = join(dataDir, 'aipg.key')
    const run = enroll('--name', 'cli-enrolled', '--api-key-file', keyFile, '--grid-url', grid.url, '--valid-days', '30')
    await grid.waitFor(() => /\/console\/workers\/enroll\/\S+/.test(run.output.stdout), 15_000, 'the approval link')
    expect(run.output.stdout).toMatch(
      /^Open the approval page and approve this rig with your payout wallet \(the link works until \d\d:\d\d UTC\)\.\n {2}http:/,
    )
    const id = /\/console\/workers\/enroll\/(\S+)/.exec(run.output.stdout)![1]!
    await grid.approveEnrollment(id, (message) => wallet.signMessage({ message }))
    expect(await run.exited).toBe(0)
    const record = grid.aipg.enrollment.records.get(id)!
    expect(record.status).toBe('activated')
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(record.apiKey)
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    expect(run.output.stdout).toContain(`Delegation: worker "cli-enrolled" signs for payout wallet ${wallet.address.toLowerCase()} until`)
    expect(run.output.stdout).toContain(`Run: gridforge worker --network aipg --api-key-file ${keyFile} --name cli-enrolled`)
    expect(run.output.stdout).not.toContain(record.apiKey)
  })

  it('says so when the grid has enrollment off, and points to the manual path', async () => {
    grid.aipg.enrollment.enabled = false
    const run = enroll('--name', 'cli-off', '--api-key-file', join(dataDir, 'off.key'), '--grid-url', grid.url)
    expect(await run.exited).toBe(1)
    expect(run.output.stdout).toBe(
      'This grid does not offer one-click enrollment (it answered "Native worker enrollment is not enabled."); sign the delegation by hand instead.\n' +
        'Sign by hand instead: gridforge identity request --payout-wallet 0x… --name cli-off\n',
    )
  })
})
