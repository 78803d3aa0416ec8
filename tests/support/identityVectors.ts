/**
 * Computes the pinned worker-identity vectors with implementations independent of GridForge's: Python's json module
 * for canonical JSON, node:crypto for sha256, viem for keys, EIP-191 signatures and recovery. Run it with
 * `npx tsx tests/support/identityVectors.ts`; tests/unit/workerIdentity.test.ts pins its output.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { getAddress, recoverMessageAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

/** Hardhat's first two development keys: public knowledge, never funded on Base. */
export const WALLET_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
export const WORKER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'

/** Inputs whose Python canonical form is pinned: sorting by code point, escapes, astral characters, nesting. */
export const CANONICAL_INPUTS: unknown[] = [
  { b: 1, a: [true, false, null], c: { z: '', y: -7 } },
  { é: 'café', e: 'naïve ☕', '\u{1f600}': 'grin \u{1f600}', '\uffff': 'last BMP', Z: 0 },
  { text: 'quote " backslash \\ slash / newline \n tab \t cr \r bs \b ff \f nul \u0000 us \u001f del \u007f' },
  { big: 9007199254740991, neg: -9007199254740991, zero: 0, list: [[], {}, [1, [2, [3]]]] },
  ['a', 'B', 'aa', 'A'],
]

export function pythonCanonical(value: unknown): string {
  const script =
    'import json,sys; print(json.dumps(json.loads(sys.stdin.read()), sort_keys=True, separators=(",", ":"), ensure_ascii=True), end="")'
  return execFileSync('python3', ['-c', script], { input: JSON.stringify(value), encoding: 'utf8' })
}

export const DELEGATION_PAYLOAD = {
  version: 1,
  chain_id: 8453,
  audience: 'api.aipowergrid.io',
  delegation_id: '0123456789abcdef0123456789abcdef',
  payout_wallet: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
  worker_signer: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  worker_name: 'rig-ü-1',
  issued_at: 1_790_000_000,
  expires_at: 1_790_000_000 + 90 * 86_400,
}

export const REGISTRATION_PAYLOAD = {
  version: 1,
  timestamp: 1_790_000_100,
  nonce: 'fedcba9876543210fedcba9876543210',
  worker_signer: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  worker_name: 'rig-ü-1',
  models: ['gpt-oss-20b', 'Qwen3-8B'],
  job_types: ['text'],
  bridge_agent: 'GridForge:0.1.0:https://github.com/gridforge',
  profile_digest: null,
  profile_recipe_root: null,
}

export const JOB = { id: '6f1c2a4e-0b7d-4e55-9a51-3c2f8d1e9b70', text: 'Once upon a time, a café served 🍰.' }

async function main(): Promise<void> {
  const wallet = privateKeyToAccount(WALLET_KEY)
  const worker = privateKeyToAccount(WORKER_KEY)
  const delegationMessage = `aipg-worker-delegation:v1:${pythonCanonical(DELEGATION_PAYLOAD)}`
  const registrationMessage = `aipg-worker-registration:v1:${pythonCanonical(REGISTRATION_PAYLOAD)}`
  const resultHash = createHash('sha256').update(JOB.text, 'utf8').digest('hex')
  const jobMessage = `aipg-job:${JOB.id}:${resultHash}`
  const delegationSignature = await wallet.signMessage({ message: delegationMessage })
  const registrationSignature = await worker.signMessage({ message: registrationMessage })
  const jobSignature = await worker.signMessage({ message: jobMessage })
  const vectors = {
    canonical: CANONICAL_INPUTS.map(pythonCanonical),
    walletAddress: getAddress(wallet.address),
    workerAddress: getAddress(worker.address),
    delegationMessage,
    delegationSignature,
    delegationSigner: await recoverMessageAddress({ message: delegationMessage, signature: delegationSignature }),
    registrationMessage,
    registrationSignature,
    resultHash,
    jobMessage,
    jobSignature,
  }
  process.stdout.write(`${JSON.stringify(vectors, null, 2)}\n`)
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) await main()
