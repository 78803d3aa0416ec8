import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryNonceRegistry, verifyRegistration } from '../../src/grid/identity/registrationVerifier.js'
import { FileSecretStore } from '../../src/main/store/secretStore.js'
import { WorkerIdentityService } from '../../src/main/identity/workerIdentityService.js'
import { cliEntry, requireBuild } from '../support/paths.js'

const run = promisify(execFile)
const dataDir = mkdtempSync(join(tmpdir(), 'gridforge-identity-cli-'))
/** The user's wallet, somewhere else than the rig (MetaMask, a hardware wallet): here a viem account. */
const wallet = privateKeyToAccount(generatePrivateKey())
const stranger = privateKeyToAccount(generatePrivateKey())

beforeAll(() => requireBuild())
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const gridforge = (...args: string[]) =>
  run(process.execPath, [cliEntry, 'identity', ...args, '--data-dir', dataDir]).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  )

describe('gridforge identity', () => {
  let address = ''
  let message = ''
  const outputs: string[] = []

  it('show creates the worker key once and prints its address', async () => {
    const first = await gridforge('show', '--json')
    expect(first.code).toBe(0)
    const status = JSON.parse(first.stdout)
    expect(status).toMatchObject({ state: 'none', delegation: null, pending: null })
    address = status.address
    expect(address).toMatch(/^0x[0-9a-f]{40}$/)
    const again = await gridforge('show')
    expect(again.stdout).toContain(`Worker key: ${privateKeyToAccount(`0x${readKey()}`).address}`)
    expect(again.stdout).toContain('Delegation: none; results go unsigned.')
    expect(statSync(join(dataDir, 'secrets', 'aipg-worker-key.secret')).mode & 0o777).toBe(0o600)
    outputs.push(first.stdout, again.stdout)
  })

  it('request prints the payload and the exact message to sign; a wrong-checksum wallet is refused', async () => {
    // Hardhat's first account, 0xf39Fd6e5…, with the case of two letters swapped: a checksum typo.
    const wrongCase = await gridforge('request', '--payout-wallet', '0xf39fD6e51aad88F6F4ce6aB8827279cffFb92266', '--name', 'rig-1')
    expect(wrongCase.code).toBe(2)
    expect(wrongCase.stderr).toMatch(
      /^gridforge: The payout wallet 0xf39fD6e51aad88F6F4ce6aB8827279cffFb92266 has a wrong EIP-55 checksum .*\.\n$/,
    )
    const tooLong = await gridforge('request', '--payout-wallet', wallet.address, '--name', 'rig-1', '--valid-days', '400')
    expect(tooLong.stderr).toBe('gridforge: A delegation is valid for 1 to 365 whole days, not 400.\n')
    const request = await gridforge('request', '--payout-wallet', wallet.address, '--name', 'rig-1', '--valid-days', '30', '--json')
    expect(request.code).toBe(0)
    const { payload, message: text } = JSON.parse(request.stdout)
    expect(payload).toMatchObject({
      version: 1,
      chain_id: 8453,
      audience: 'api.aipowergrid.io',
      payout_wallet: wallet.address.toLowerCase(),
      worker_signer: address,
      worker_name: 'rig-1',
    })
    expect(payload.expires_at - payload.issued_at).toBe(30 * 86_400)
    expect(Math.abs(payload.issued_at - Date.now() / 1000)).toBeLessThan(60)
    expect(text.startsWith('aipg-worker-delegation:v1:{"audience":"api.aipowergrid.io","chain_id":8453,')).toBe(true)
    message = text
    const human = await gridforge('request', '--payout-wallet', wallet.address.toLowerCase(), '--name', 'rig-1', '--valid-days', '30')
    expect(human.stdout).toContain(`Sign this message with the payout wallet ${wallet.address} `)
    message = human.stdout.trim().split('\n').at(-1)!
    expect(message).toMatch(/^aipg-worker-delegation:v1:\{.*"worker_name":"rig-1".*\}$/)
    outputs.push(request.stdout, human.stdout)
  })

  it('install refuses another wallet, a truncated and a non-hex signature with exit 2 and one sentence', async () => {
    const byStranger = await gridforge('install', '--signature', await stranger.signMessage({ message }))
    expect(byStranger.code).toBe(2)
    expect(byStranger.stderr).toBe(
      `gridforge: The signature was made by ${stranger.address.toLowerCase()}, not by the payout wallet ${wallet.address.toLowerCase()}; sign the message with the payout wallet's account.\n`,
    )
    const signature = await wallet.signMessage({ message })
    const truncated = await gridforge('install', '--signature', signature.slice(0, 120))
    expect(truncated.code).toBe(2)
    expect(truncated.stderr).toBe(
      'gridforge: The signature has 118 hex digits instead of 130 (it looks cut off); copy the whole signature from your wallet.\n',
    )
    const notHex = await gridforge('install', '--signature', `${signature.slice(0, -4)}wxyz`)
    expect(notHex.stderr).toBe('gridforge: The signature is not hexadecimal; it should be 0x followed by 130 hex digits.\n')
    expect(JSON.parse((await gridforge('show', '--json')).stdout).state).toBe('none')
  })

  it('install saves the wallet-signed delegation, and the rig then registers with an identity core accepts', async () => {
    const installed = await gridforge('install', '--signature', await wallet.signMessage({ message }))
    expect(installed.code).toBe(0)
    expect(installed.stdout).toMatch(
      /^Installed\. Worker key: 0x[0-9a-fA-F]{40}\nDelegation: worker "rig-1" signs for payout wallet 0x[0-9a-f]{40} until \d{4}-\d\d-\d\d\.\n$/,
    )
    const status = JSON.parse((await gridforge('show', '--json')).stdout)
    expect(status).toMatchObject({
      state: 'installed',
      address,
      pending: null,
      delegation: { payoutWallet: wallet.address.toLowerCase(), workerName: 'rig-1' },
    })

    const rig = new WorkerIdentityService({ secrets: new FileSecretStore(join(dataDir, 'secrets')) })
    const fields = { name: 'rig-1', models: ['gpt-oss-20b'], job_types: ['text'], bridge_agent: 'GridForge:0.1.0:https://aipowergrid.io' }
    const verified = verifyRegistration({
      proof: rig.workerIdentityFor(fields),
      payoutWallet: wallet.address,
      workerName: fields.name,
      models: fields.models,
      jobTypes: fields.job_types,
      bridgeAgent: fields.bridge_agent,
      required: true,
      now: Math.floor(Date.now() / 1000),
      nonces: new MemoryNonceRegistry(),
    })
    expect(verified).toMatchObject({
      signerAddress: address,
      payoutWallet: wallet.address.toLowerCase(),
      expiresAt: status.delegation.expiresAt,
    })
  })

  it('never prints the worker key', () => {
    const key = readKey()
    for (const output of outputs) expect(output).not.toContain(key)
  })
})

function readKey(): string {
  return readFileSync(join(dataDir, 'secrets', 'aipg-worker-key.secret'), 'utf8').trim()
}
