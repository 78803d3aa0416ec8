import { useEffect, useState } from 'react'
import type { EarnSettings } from '../../../../shared/domain'
import type { EnrollmentStatus, IdentityStatus } from '../../../../shared/identity'
import { slotWorkerNames } from '../../../../shared/slotNames'
import { useStore } from '../../api/store'
import {
  cancelEnrollment,
  followIdentity,
  identityErrorStore,
  identityRequestStore,
  identityStore,
  installSignature,
  requestDelegation,
  startEnrollment,
} from './IdentityState'

const DEFAULT_VALID_DAYS = 90
/** The message and the signature need the whole width of the form's grid. */
const WIDE = { gridColumn: '1 / -1' } as const

/**
 * The worker identity (AIPG signed tier): the rig's 0x address (never its key), whether a delegation is in force,
 * and the manual path to one: the exact message for the payout wallet to sign, and a field for its signature.
 */
export function IdentityPanel({ settings, mining = false }: { settings: EarnSettings; mining?: boolean }) {
  const status = useStore(identityStore)
  const request = useStore(identityRequestStore)
  const error = useStore(identityErrorStore)
  const [renewing, setRenewing] = useState(false)
  useEffect(() => followIdentity(), [])
  if (!status) return null
  const names = slotWorkerNames(settings.workerName, settings.slots ?? 1)
  const formOpen = renewing || status.state === 'none' || status.state === 'expired' || request !== null
  return (
    <section className="readiness identity" aria-label="Worker identity">
      <header>
        <h2>Worker identity</h2>
      </header>
      <p className="muted">
        On the AI Power Grid, results signed by a worker key your payout wallet delegated to land in the signed tier, which the grid trusts
        more. The key stays on this PC; only its address is shown.
      </p>
      <p>
        Worker key: <code data-identity="address">{status.address}</code>
      </p>
      <p>
        Delegation:{' '}
        <strong data-identity="state" data-state={status.state}>
          {stateText(status)}
        </strong>
      </p>
      {(status.state === 'installed' || status.state === 'expiring') && !renewing && (
        <button type="button" onClick={() => setRenewing(true)}>
          Renew
        </button>
      )}
      {status.problem && <p className="error-text">{status.problem}</p>}
      {status.delegation && <CoverageNote workerName={status.delegation.workerName} names={names} />}
      {(formOpen || status.enrollment) && settings.network === 'aipg' && (
        <Enrollment enrollment={status.enrollment} workerName={names[0] ?? settings.workerName} mining={mining} />
      )}
      {formOpen && <DelegationForm status={status} defaultName={names[0] ?? settings.workerName} onDone={() => setRenewing(false)} />}
      {error && (
        <p className="error-text" role="alert" data-identity="error">
          {error.message}
        </p>
      )}
    </section>
  )
}

function stateText(status: IdentityStatus): string {
  const until = status.delegation ? day(status.delegation.expiresAt) : ''
  switch (status.state) {
    case 'none':
      return 'none: results go unsigned.'
    case 'installed':
      return `installed until ${until}`
    case 'expiring':
      return `expiring soon (${until}): renew it`
    case 'expired':
      return `expired on ${until}: results go unsigned`
  }
}

/** A delegation names one worker; with several slots each registers its own name, so at most one is signed. */
function CoverageNote({ workerName, names }: { workerName: string; names: string[] }) {
  if (names.length === 1 && names[0] === workerName) return null
  const covered = names.includes(workerName)
  return (
    <p className="muted" data-identity="coverage">
      The delegation is for the worker named “{workerName}”, but this rig registers {names.map((name) => `“${name}”`).join(', ')}:{' '}
      {covered ? `only “${workerName}” is signed` : 'none of them is signed'}. A delegation names one worker; use one slot, or sign one per
      name.
    </p>
  )
}

/**
 * One-click device enrollment (§16.2): the grid opens an approval page in the AIPG console, the owner approves with
 * their wallet there, and the delegation and this rig's API key are installed without copying anything. When the grid
 * does not offer it, the manual form below is the way, and the panel says so.
 */
function Enrollment({ enrollment, workerName, mining }: { enrollment: EnrollmentStatus | null; workerName: string; mining: boolean }) {
  const open = enrollment && (enrollment.state === 'waiting' || enrollment.state === 'retrying')
  const bad = enrollment && ['denied', 'expired', 'failed'].includes(enrollment.state)
  return (
    <div className="identity-enroll" data-identity="enrollment" data-state={enrollment?.state ?? 'none'}>
      {enrollment && (
        <p className={bad ? 'error-text' : 'muted'} role="status" data-identity="enrollment-message">
          {enrollment.message}
        </p>
      )}
      {open && enrollment.authorizeUrl && (
        <p>
          <a href={enrollment.authorizeUrl} target="_blank" rel="noopener noreferrer" data-identity="approve-link">
            Open the approval page
          </a>{' '}
          <button type="button" className="link" onClick={() => void cancelEnrollment()}>
            Cancel
          </button>
        </p>
      )}
      {!open && enrollment?.state !== 'done' && (
        <p>
          <button
            type="button"
            disabled={mining || !workerName}
            onClick={() => void startEnrollment({ workerName, validDays: DEFAULT_VALID_DAYS })}
          >
            Enroll with one click
          </button>{' '}
          <span className="muted">
            {mining
              ? 'Stop earning first: enrolling saves a new API key for this rig.'
              : `Approve “${workerName}” in the AIPG console with your wallet; or sign the message by hand below.`}
          </span>
        </p>
      )}
    </div>
  )
}

function DelegationForm({ status, defaultName, onDone }: { status: IdentityStatus; defaultName: string; onDone: () => void }) {
  const request = useStore(identityRequestStore)
  // The grid's word on the account's payout wallet comes first: a delegation for any other wallet would be refused.
  const [payoutWallet, setPayoutWallet] = useState(
    status.pending?.payoutWallet ?? status.accountWallet ?? status.delegation?.payoutWallet ?? '',
  )
  const accountWallet = status.accountWallet
  useEffect(() => {
    if (accountWallet) setPayoutWallet((typed) => typed || accountWallet)
  }, [accountWallet])
  const [workerName, setWorkerName] = useState(status.pending?.workerName ?? status.delegation?.workerName ?? defaultName)
  const [validDays, setValidDays] = useState(DEFAULT_VALID_DAYS)
  const [signature, setSignature] = useState('')
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null)

  const copy = (text: string) => {
    // A clipboard the window may not write to (no permission, no focus) must not look like a copy.
    void (navigator.clipboard?.writeText(text) ?? Promise.reject(new Error('no clipboard'))).then(
      () => setCopied('yes'),
      () => setCopied('no'),
    )
  }

  return (
    <div className="identity-form">
      <form
        className="earn-settings"
        aria-label="Delegation request"
        onSubmit={(event) => {
          event.preventDefault()
          setCopied(null)
          void requestDelegation({ payoutWallet: payoutWallet.trim(), workerName: workerName.trim(), validDays })
        }}
      >
        <fieldset>
          <legend>Delegate this worker key</legend>
          <label>
            Payout wallet
            <input
              value={payoutWallet}
              onChange={(e) => setPayoutWallet(e.target.value)}
              placeholder="0x… (the wallet the account is paid to)"
              spellCheck={false}
              autoComplete="off"
            />
            {accountWallet && (
              <span className="muted small" data-identity="account-wallet">
                {accountWallet.toLowerCase() === payoutWallet.trim().toLowerCase()
                  ? 'The wallet the grid pays this account.'
                  : `The grid pays this account to ${accountWallet}; a delegation for another wallet is refused.`}
              </span>
            )}
          </label>
          <label>
            Delegate to worker
            <input value={workerName} onChange={(e) => setWorkerName(e.target.value)} maxLength={128} />
          </label>
          <label>
            Valid for (days)
            <input type="number" min={1} max={365} value={validDays} onChange={(e) => setValidDays(Number(e.target.value))} />
          </label>
          <button type="submit">Show the message to sign</button>
        </fieldset>
      </form>
      {request && (
        <form
          className="earn-settings"
          aria-label="Install the signature"
          onSubmit={(event) => {
            event.preventDefault()
            void installSignature(signature.trim()).then((installed) => {
              if (!installed) return
              setSignature('')
              onDone()
            })
          }}
        >
          <fieldset>
            <legend>Sign in your wallet</legend>
            <p style={WIDE}>
              Sign this exact message with the payout wallet (personal_sign, as MetaMask, Rabby or a hardware wallet do), then paste the
              signature below.
            </p>
            <textarea style={WIDE} readOnly value={request.message} rows={5} aria-label="Message to sign" data-identity="message" />
            <div style={WIDE}>
              <button type="button" onClick={() => copy(request.message)}>
                Copy
              </button>{' '}
              {copied === 'yes' && (
                <span className="muted" role="status">
                  Copied.
                </span>
              )}
              {copied === 'no' && (
                <span className="error-text" role="status">
                  Could not copy; select the text and copy it by hand.
                </span>
              )}
            </div>
            <label style={WIDE}>
              Signature
              <textarea
                value={signature}
                onChange={(e) => setSignature(e.target.value)}
                rows={2}
                placeholder="0x… (130 hex digits)"
                spellCheck={false}
                aria-label="Signature"
              />
            </label>
            <button type="submit" disabled={!signature.trim()}>
              Install
            </button>
          </fieldset>
        </form>
      )}
    </div>
  )
}

function day(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10)
}
