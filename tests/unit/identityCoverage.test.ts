import { describe, expect, it } from 'vitest'
import { identityRefusalFix } from '../../src/grid/identityRefusal.js'
import { identityCoverage } from '../../src/main/identity/identityCoverage.js'
import type { IdentityStatus } from '../../src/shared/identity.js'
import { slotWorkerNames } from '../../src/shared/slotNames.js'

const ADDRESS = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8'
const status = (state: IdentityStatus['state'], workerName = 'rig'): IdentityStatus => ({
  state,
  address: ADDRESS,
  delegation:
    state === 'none'
      ? null
      : {
          payoutWallet: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
          workerName,
          delegationId: '0'.repeat(32),
          issuedAt: 1_790_000_000,
          expiresAt: 1_797_776_000,
        },
  pending: null,
  problem: null,
  accountWallet: null,
  enrollment: null,
})

describe('which registered names a delegation signs', () => {
  it('signs the one slot named by the delegation and says the others go unsigned', () => {
    expect(slotWorkerNames('rig', 1)).toEqual(['rig'])
    expect(slotWorkerNames('rig', 3)).toEqual(['rig-1', 'rig-2', 'rig-3'])
    expect(identityCoverage(status('installed'), ['rig'])).toBe(
      `Results are signed by worker key ${ADDRESS} (delegation for "rig" until 2026-12-20).`,
    )
    expect(identityCoverage(status('installed', 'rig-1'), slotWorkerNames('rig', 3))).toBe(
      'The delegation covers the worker name "rig-1" until 2026-12-20, but this rig registers "rig-1", "rig-2", "rig-3": only "rig-1" is signed; "rig-2", "rig-3" go unsigned (a delegation names one worker; use one slot, or sign a delegation per name).',
    )
    expect(identityCoverage(status('expiring'), slotWorkerNames('rig', 2))).toMatch(
      /: none of them is signed; "rig-1", "rig-2" go unsigned/,
    )
  })

  it('says results go unsigned without a delegation or with an expired one', () => {
    expect(identityCoverage(status('none'), ['rig'])).toMatch(/^Results go unsigned: this rig has no delegation/)
    expect(identityCoverage(status('expired'), ['rig'])).toBe(
      'Results go unsigned: the delegation for "rig" expired on 2026-12-20; renew it.',
    )
  })
})

describe("what to do about core's identity refusals", () => {
  it("has a fix for each of core's identity sentences, and none for refusals about something else", () => {
    expect(identityRefusalFix('delegation was not signed by the payout wallet')).toMatch(/another wallet than the account's payout wallet/)
    expect(identityRefusalFix('authenticated account has no valid payout wallet')).toMatch(/Set a payout wallet/)
    expect(identityRefusalFix('worker registration proof is stale')).toMatch(/clock/)
    expect(identityRefusalFix('worker delegation has expired')).toMatch(/renew it/)
    expect(identityRefusalFix('delegation targets a different worker name')).toMatch(/names another worker/)
    expect(identityRefusalFix('worker registration proof does not match advertised capabilities')).toMatch(/Request a new delegation/)
    expect(identityRefusalFix('payout-wallet worker delegation is required')).toMatch(/^This grid requires a worker identity/)
    expect(identityRefusalFix('worker name already registered to another account')).toBeNull()
    expect(identityRefusalFix('API key lacks worker.connect scope')).toBeNull()
  })
})
