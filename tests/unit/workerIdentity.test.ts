import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { hexToBytes } from '@noble/hashes/utils.js'
import { getAddress, recoverMessageAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { checksumAddress, parseAddress, type Address } from '../../src/grid/identity/address.js'
import { canonicalJson, type CanonicalValue } from '../../src/grid/identity/canonicalJson.js'
import { buildDelegationRequest, delegationMessage, verifyDelegation, type DelegationPayload } from '../../src/grid/identity/delegation.js'
import {
  addressOfPrivateKey,
  generatePrivateKey,
  parseSignature,
  personalSign,
  recoverPersonalSigner,
} from '../../src/grid/identity/personalSign.js'
import { buildWorkerIdentity, registrationMessage } from '../../src/grid/identity/registration.js'
import { MemoryNonceRegistry, verifyRegistration, type RegistrationContext } from '../../src/grid/identity/registrationVerifier.js'
import { resultHash, signJobResult, verifyJobSignature } from '../../src/grid/identity/resultSignature.js'
import {
  CANONICAL_INPUTS,
  DELEGATION_PAYLOAD,
  JOB,
  pythonCanonical,
  REGISTRATION_PAYLOAD,
  WALLET_KEY,
  WORKER_KEY,
} from '../support/identityVectors.js'

/** Output of `npx tsx tests/support/identityVectors.ts` (Python's json module, node:crypto and viem), pinned. */
const PINNED = {
  canonical: [
    '{"a":[true,false,null],"b":1,"c":{"y":-7,"z":""}}',
    '{"Z":0,"e":"na\\u00efve \\u2615","\\u00e9":"caf\\u00e9","\\uffff":"last BMP","\\ud83d\\ude00":"grin \\ud83d\\ude00"}',
    '{"text":"quote \\" backslash \\\\ slash / newline \\n tab \\t cr \\r bs \\b ff \\f nul \\u0000 us \\u001f del \\u007f"}',
    '{"big":9007199254740991,"list":[[],{},[1,[2,[3]]]],"neg":-9007199254740991,"zero":0}',
    '["a","B","aa","A"]',
  ],
  walletAddress: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  workerAddress: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  delegationMessage:
    'aipg-worker-delegation:v1:{"audience":"api.aipowergrid.io","chain_id":8453,"delegation_id":"0123456789abcdef0123456789abcdef","expires_at":1797776000,"issued_at":1790000000,"payout_wallet":"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266","version":1,"worker_name":"rig-\\u00fc-1","worker_signer":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8"}',
  delegationSignature:
    '0x453ade0df5774e2f8c24dbd7be91ef3540b2fea9ea783f7ba53934cd4bceeaf86dc5896b7864f7da26ce5bb68d84e3508a2d55b17f5f6c16198174c40f1962f11b',
  registrationMessage:
    'aipg-worker-registration:v1:{"bridge_agent":"GridForge:0.1.0:https://github.com/gridforge","job_types":["text"],"models":["gpt-oss-20b","Qwen3-8B"],"nonce":"fedcba9876543210fedcba9876543210","profile_digest":null,"profile_recipe_root":null,"timestamp":1790000100,"version":1,"worker_name":"rig-\\u00fc-1","worker_signer":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8"}',
  registrationSignature:
    '0x217b7182f6147562de905cf51765520a0ed8777c2a4cc7d0b260936e31052cf869cc95fc329d7deca38d81ca2b4d9d3f1fe63c4790174a1f9af3f89866d7474c1b',
  resultHash: '69a867d0ff6bcc886d60df8080ef38874b80ba0947dbf0cc0d578c04a114d282',
  jobSignature:
    '0xffde04a0bd0cc66c251ccea3cb6a3d76c1b238d529258257f66d0c8c0a6eec9f0ae94df5d08870d0b87094c16c23ecb9d6b4cb50ad9a302a527799bde276eb4b1c',
}

const walletKey = hexToBytes(WALLET_KEY.slice(2))
const workerKey = hexToBytes(WORKER_KEY.slice(2))
const wallet = PINNED.walletAddress.toLowerCase() as Address
const worker = PINNED.workerAddress.toLowerCase() as Address
const certificate = { payload: DELEGATION_PAYLOAD as DelegationPayload, signature: PINNED.delegationSignature as `0x${string}` }
const inForce = DELEGATION_PAYLOAD.issued_at + 100
/** The pinned vectors stand without Python; the live comparison needs python3 on PATH. */
const hasPython = spawnSync('python3', ['--version']).status === 0
const fields = {
  name: REGISTRATION_PAYLOAD.worker_name,
  models: REGISTRATION_PAYLOAD.models,
  job_types: ['text'],
  bridge_agent: REGISTRATION_PAYLOAD.bridge_agent,
}

describe('canonical JSON, as core prints it with Python', () => {
  it('matches the pinned Python output: code-point key order, \\u escapes with surrogate pairs, integers', () => {
    expect(CANONICAL_INPUTS.map((input) => canonicalJson(input as CanonicalValue))).toEqual(PINNED.canonical)
  })

  it.skipIf(!hasPython)('matches python3 live on random objects with keys and text from every Unicode plane', () => {
    const pick = () =>
      String.fromCodePoint(
        ...Array.from({ length: 1 + (randomBytes(1)[0]! % 6) }, () => {
          const planes = [
            0x20 + (randomBytes(1)[0]! % 0x5f),
            0xa0 + (randomBytes(2).readUInt16BE() % 0xd700),
            0xe000 + randomBytes(1)[0]! * 0x1f,
            0x10000 + (randomBytes(2).readUInt16BE() % 0xfff0),
          ]
          return planes[randomBytes(1)[0]! % planes.length]!
        }),
      )
    const objects = Array.from({ length: 60 }, () =>
      Object.fromEntries(Array.from({ length: 5 }, () => [pick(), [pick(), randomBytes(4).readInt32BE(), null, { [pick()]: true }]])),
    )
    expect(canonicalJson(objects)).toBe(pythonCanonical(objects))
  })

  it('refuses what core never sends and Python would print differently: floats, NaN, infinities, undefined, unsafe integers', () => {
    for (const bad of [{ a: 1.5 }, { a: Number.NaN }, { a: Infinity }, { a: 2 ** 53 }, { a: undefined }] as unknown as CanonicalValue[]) {
      expect(() => canonicalJson(bad)).toThrow(/whole numbers|undefined/)
    }
  })
})

describe('addresses (EIP-55)', () => {
  it('derives the pinned address from the worker key and checksums like viem', () => {
    expect(addressOfPrivateKey(workerKey)).toBe(worker)
    expect(checksumAddress(worker)).toBe(PINNED.workerAddress)
    for (let i = 0; i < 20; i++) {
      const lower = `0x${randomBytes(20).toString('hex')}` as Address
      expect(checksumAddress(lower)).toBe(getAddress(lower))
    }
  })

  it('accepts any case but compares lower case; a wrong-checksum mixed-case address is refused with a sentence', () => {
    expect(parseAddress(PINNED.walletAddress)).toBe(wallet)
    expect(parseAddress(wallet)).toBe(wallet)
    expect(parseAddress(`0x${wallet.slice(2).toUpperCase()}`)).toBe(wallet)
    const wrongCase = PINNED.walletAddress.replace('Fd6', 'fD6')
    expect(() => parseAddress(wrongCase, 'The payout wallet')).toThrow(`The payout wallet ${wrongCase} has a wrong EIP-55 checksum`)
    expect(() => parseAddress('0x1234', 'The payout wallet')).toThrow('The payout wallet must be 0x followed by 40 hexadecimal digits')
  })
})

describe('EIP-191 signatures', () => {
  it('signs the pinned delegation exactly as viem did, and recovers the wallet', () => {
    expect(personalSign(PINNED.delegationMessage, walletKey)).toBe(PINNED.delegationSignature)
    expect(recoverPersonalSigner(PINNED.delegationMessage, parseSignature(PINNED.delegationSignature))).toBe(wallet)
  })

  it('agrees with viem live both ways on fresh keys and Unicode messages', async () => {
    for (const message of ['', 'hello', 'aipg-job:x:ü🍰', 'x'.repeat(1000)]) {
      const key = generatePrivateKey()
      const account = privateKeyToAccount(`0x${Buffer.from(key).toString('hex')}`)
      const ours = personalSign(message, key)
      expect(ours).toBe(await account.signMessage({ message }))
      expect((await recoverMessageAddress({ message, signature: ours })).toLowerCase()).toBe(addressOfPrivateKey(key))
    }
  })

  it('reads a v of 0/1 as 27/28 and says what is wrong with a cut-off, padded or non-hex signature', () => {
    const zeroV = `${PINNED.delegationSignature.slice(0, -2)}${(parseInt(PINNED.delegationSignature.slice(-2), 16) - 27).toString(16).padStart(2, '0')}`
    expect(parseSignature(zeroV)).toBe(PINNED.delegationSignature)
    expect(parseSignature(`  ${PINNED.delegationSignature.toUpperCase().replace('0X', '0x')}\n`)).toBe(PINNED.delegationSignature)
    expect(() => parseSignature(PINNED.delegationSignature.slice(0, 100))).toThrow(
      'The signature has 98 hex digits instead of 130 (it looks cut off)',
    )
    expect(() => parseSignature(`${PINNED.delegationSignature}00`)).toThrow('(it is too long)')
    expect(() => parseSignature(`${PINNED.delegationSignature.slice(0, -3)}zz1`)).toThrow('The signature is not hexadecimal')
    expect(() => parseSignature(`${PINNED.delegationSignature.slice(0, -2)}05`)).toThrow('v = 5, not 27 or 28')
    expect(() => parseSignature('')).toThrow('The signature is empty')
    expect(() => recoverPersonalSigner('m', parseSignature(`0x${'00'.repeat(64)}1b`))).toThrow('not a valid secp256k1 signature')
  })
})

describe('signed results (worker_sig)', () => {
  it('hashes the UTF-8 text and signs aipg-job:{id}:{hash} as pinned; empty text is not signed', () => {
    expect(resultHash(JOB.text)).toBe(PINNED.resultHash)
    expect(signJobResult(JOB.id, JOB.text, workerKey)).toBe(PINNED.jobSignature)
    expect(resultHash('')).toBeNull()
    expect(signJobResult(JOB.id, '', workerKey)).toBeNull()
  })

  it('verifies fail-closed like core: only this job, this text and an allowed signer', () => {
    expect(verifyJobSignature(JOB.id, JOB.text, PINNED.jobSignature, [PINNED.workerAddress])).toBe(true)
    expect(verifyJobSignature(JOB.id, `${JOB.text}!`, PINNED.jobSignature, [worker])).toBe(false)
    expect(verifyJobSignature('another-job', JOB.text, PINNED.jobSignature, [worker])).toBe(false)
    expect(verifyJobSignature(JOB.id, JOB.text, PINNED.jobSignature, [wallet])).toBe(false)
    expect(verifyJobSignature(JOB.id, JOB.text, PINNED.jobSignature.slice(0, 60), [worker])).toBe(false)
    expect(verifyJobSignature(JOB.id, JOB.text, undefined, [worker])).toBe(false)
    expect(verifyJobSignature(JOB.id, JOB.text, PINNED.jobSignature, [])).toBe(false)
  })
})

describe('delegation', () => {
  it('builds the pinned payload and message from a checksummed wallet, and verifies the wallet signature', () => {
    const request = buildDelegationRequest({
      payoutWallet: PINNED.walletAddress,
      workerSigner: worker,
      workerName: DELEGATION_PAYLOAD.worker_name,
      validDays: 90,
      now: DELEGATION_PAYLOAD.issued_at,
      delegationId: DELEGATION_PAYLOAD.delegation_id,
    })
    expect(request.payload).toEqual(DELEGATION_PAYLOAD)
    expect(request.message).toBe(PINNED.delegationMessage)
    expect(
      verifyDelegation(certificate, { workerSigner: worker, workerName: 'rig-ü-1', payoutWallet: PINNED.walletAddress, now: inForce }),
    ).toEqual(certificate)
  })

  it('draws a fresh 32-hex delegation id each time and refuses lifetimes outside 1–365 days', () => {
    const base = { payoutWallet: wallet, workerSigner: worker, workerName: 'rig', now: 1_790_000_000 }
    const ids = new Set(Array.from({ length: 5 }, () => buildDelegationRequest({ ...base, validDays: 365 }).payload.delegation_id))
    expect(ids.size).toBe(5)
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/)
    expect(() => buildDelegationRequest({ ...base, validDays: 366 })).toThrow('A delegation is valid for 1 to 365 whole days, not 366.')
    expect(() => buildDelegationRequest({ ...base, validDays: 0 })).toThrow('not 0.')
    expect(() => buildDelegationRequest({ ...base, validDays: 30, workerName: ' rig' })).toThrow(
      'The worker name must not be empty or start or end with spaces.',
    )
  })

  it('says which wallet signed when it is not the payout wallet', () => {
    const byWorker = { ...certificate, signature: personalSign(PINNED.delegationMessage, workerKey) }
    expect(() => verifyDelegation(byWorker, { workerSigner: worker, now: inForce })).toThrow(
      `The signature was made by ${worker}, not by the payout wallet ${wallet}; sign the message with the payout wallet's account.`,
    )
    const edited = { ...certificate, payload: { ...certificate.payload, worker_name: 'rig-2' } }
    expect(() => verifyDelegation(edited, { workerSigner: worker, now: inForce })).toThrow(
      /^The signature was made by 0x[0-9a-f]{40}, not by the payout wallet/,
    )
  })

  it('refuses an expired delegation, one dated in the future by a clock 10 minutes off, and one for another key, name or account', () => {
    const expect_ = { workerSigner: worker, now: inForce }
    expect(() => verifyDelegation(certificate, { ...expect_, now: DELEGATION_PAYLOAD.expires_at })).toThrow(
      'The delegation expired on 2026-12-20; request a new one and sign it again.',
    )
    expect(() => verifyDelegation(certificate, { ...expect_, now: DELEGATION_PAYLOAD.issued_at - 600 })).toThrow(
      'The delegation is dated 10 minutes in the future, so a clock is off',
    )
    expect(verifyDelegation(certificate, { ...expect_, now: DELEGATION_PAYLOAD.issued_at - 240 }).payload).toEqual(DELEGATION_PAYLOAD)
    expect(() => verifyDelegation(certificate, { ...expect_, workerSigner: wallet })).toThrow(
      `The delegation is for worker key ${worker}, not this worker's key ${wallet}.`,
    )
    expect(() => verifyDelegation(certificate, { ...expect_, workerName: 'other' })).toThrow(
      'The delegation is for the worker named "rig-ü-1", not "other".',
    )
    expect(() => verifyDelegation(certificate, { ...expect_, payoutWallet: worker })).toThrow(`but the account pays ${worker}`)
  })

  it('refuses a malformed certificate and a truncated signature with one sentence', () => {
    expect(() =>
      verifyDelegation({ ...certificate, payload: { ...certificate.payload, extra: 1 } }, { workerSigner: worker, now: inForce }),
    ).toThrow(/^The delegation is malformed \(payload: /)
    expect(() => verifyDelegation({ payload: certificate.payload }, { workerSigner: worker, now: inForce })).toThrow(
      'The delegation is malformed (signature: ',
    )
    expect(() =>
      verifyDelegation({ ...certificate, signature: certificate.signature.slice(0, 120) }, { workerSigner: worker, now: inForce }),
    ).toThrow('it looks cut off')
  })
})

describe('registration proof and core-side verification', () => {
  const proofAt = (now: number, overrides: Partial<typeof fields> = {}) =>
    buildWorkerIdentity({ privateKey: workerKey, delegation: certificate, fields: { ...fields, ...overrides }, now })
  const context = (proof: unknown, extra: Partial<RegistrationContext> = {}): RegistrationContext => ({
    proof,
    payoutWallet: PINNED.walletAddress,
    workerName: fields.name,
    models: fields.models,
    jobTypes: fields.job_types,
    bridgeAgent: fields.bridge_agent,
    required: false,
    now: REGISTRATION_PAYLOAD.timestamp,
    nonces: new MemoryNonceRegistry(),
    ...extra,
  })

  it('signs the pinned registration payload as viem did', () => {
    const proof = buildWorkerIdentity({
      privateKey: workerKey,
      delegation: certificate,
      fields,
      now: REGISTRATION_PAYLOAD.timestamp,
      nonce: REGISTRATION_PAYLOAD.nonce,
    })
    expect(proof.payload).toEqual(REGISTRATION_PAYLOAD)
    expect(registrationMessage(proof.payload)).toBe(PINNED.registrationMessage)
    expect(proof.signature).toBe(PINNED.registrationSignature)
    expect(proof.delegation).toBe(certificate)
  })

  it('is accepted once with a fresh nonce, and refused as a replay', () => {
    const nonces = new MemoryNonceRegistry()
    const proof = proofAt(REGISTRATION_PAYLOAD.timestamp)
    expect(proof.payload.nonce).toMatch(/^[0-9a-f]{32}$/)
    expect(verifyRegistration(context(proof, { nonces }))).toEqual({
      signerAddress: worker,
      payoutWallet: wallet,
      delegationId: DELEGATION_PAYLOAD.delegation_id,
      expiresAt: DELEGATION_PAYLOAD.expires_at,
    })
    expect(() => verifyRegistration(context(proof, { nonces }))).toThrow('worker registration proof was already used')
    expect(verifyRegistration(context(proofAt(REGISTRATION_PAYLOAD.timestamp), { nonces }))?.signerAddress).toBe(worker)
  })

  it('refuses a proof from a clock 10 minutes off, or one that does not match the frame', () => {
    const proof = proofAt(REGISTRATION_PAYLOAD.timestamp)
    expect(() => verifyRegistration(context(proof, { now: REGISTRATION_PAYLOAD.timestamp + 600 }))).toThrow(
      'worker registration proof is stale',
    )
    expect(
      verifyRegistration(context(proofAt(REGISTRATION_PAYLOAD.timestamp), { now: REGISTRATION_PAYLOAD.timestamp + 300 })),
    ).not.toBeNull()
    expect(() => verifyRegistration(context(proof, { models: ['gpt-oss-20b'] }))).toThrow(
      'worker registration proof does not match advertised capabilities',
    )
    expect(() => verifyRegistration(context(proof, { bridgeAgent: 'other:1:x' }))).toThrow('does not match advertised capabilities')
    const many = Array.from({ length: 65 }, (_, i) => `m${i}`)
    expect(() =>
      buildWorkerIdentity({ privateKey: workerKey, delegation: certificate, fields: { ...fields, models: many }, now: inForce }),
    ).toThrow('1 to 64 models, not 65')
    expect(() => verifyRegistration(context(proof, { models: many }))).toThrow('worker model list is invalid')
  })

  it('refuses a delegation for another account, signatures by the wrong keys, and a missing proof when required', () => {
    const proof = proofAt(REGISTRATION_PAYLOAD.timestamp)
    expect(() => verifyRegistration(context(proof, { payoutWallet: worker }))).toThrow(
      'delegation payout wallet does not match the authenticated account',
    )
    const forged = { ...proof, delegation: { ...certificate, signature: personalSign(PINNED.delegationMessage, workerKey) } }
    expect(() => verifyRegistration(context(forged))).toThrow('delegation was not signed by the payout wallet')
    const wrongWorker = { ...proof, signature: personalSign(registrationMessage(proof.payload), walletKey) }
    expect(() => verifyRegistration(context(wrongWorker))).toThrow('registration was not signed by the delegated worker key')
    expect(() => verifyRegistration(context(proofAt(REGISTRATION_PAYLOAD.timestamp), { now: DELEGATION_PAYLOAD.expires_at + 1 }))).toThrow(
      /has expired|stale/,
    )
    expect(() => verifyRegistration(context(undefined, { required: true }))).toThrow('payout-wallet worker delegation is required')
    expect(verifyRegistration(context(undefined))).toBeNull()
    expect(() => verifyRegistration(context({ ...proof, extra: true }))).toThrow('worker identity proof is malformed')
    expect(() => verifyRegistration(context(proof, { payoutWallet: PINNED.walletAddress.replace('Fd6', 'fD6') }))).toThrow(
      'authenticated account has no valid payout wallet',
    )
  })

  it('will not build a proof for another worker name or after the delegation expired', () => {
    expect(() => proofAt(inForce, { name: 'rig-2' })).toThrow('The installed delegation is for the worker named "rig-ü-1", not "rig-2".')
    expect(() => proofAt(DELEGATION_PAYLOAD.expires_at)).toThrow('The installed delegation has expired')
  })

  it('a delegation message is what the pinned payload canonicalises to', () => {
    expect(delegationMessage(certificate.payload)).toBe(PINNED.delegationMessage)
  })
})
