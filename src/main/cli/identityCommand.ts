import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { checksumAddress, type Address } from '../../grid/identity/address.js'
import type { EnrollmentStatus } from '../../shared/identity.js'
import { headlessSecrets } from './headlessSecrets.js'
import type { IdentityStatus } from '../identity/identityStatus.js'
import { DEFAULT_VALID_DAYS, WorkerIdentityService } from '../identity/workerIdentityService.js'
import { positiveInt } from './options.js'
import { onStopSignals, type StopCause } from './stopSignals.js'
import { UsageError } from './usage.js'

/** Options of `gridforge identity`. */
export interface IdentityOptions {
  dataDir: string
  args: string[]
  json?: boolean
  name?: string
  'payout-wallet'?: string
  'valid-days'?: string
  signature?: string
  'grid-url'?: string
  'api-key-file'?: string
}

const USAGE =
  'Usage: gridforge identity show [--json] | request --payout-wallet 0x… --name NAME [--valid-days N] [--json] | install --signature 0x… [--json]' +
  ' | enroll --name NAME --api-key-file F [--grid-url URL] [--valid-days N] [--json]'
const INSTALL_HINT = 'gridforge identity install --signature 0x…'

/** `gridforge identity show | request | install`: the worker key and its delegation, for headless rigs and scripts. */
export async function identityCommand(options: IdentityOptions): Promise<void> {
  const [action] = options.args
  if (!action || !['show', 'request', 'install', 'enroll'].includes(action)) throw new UsageError(USAGE)
  const out = (text: string) => process.stdout.write(text)
  if (action === 'enroll') return enroll(options, out)
  const identity = new WorkerIdentityService({ secrets: headlessSecrets(options.dataDir, 'gridforge identity') })
  if (action === 'show') {
    const status = identity.status()
    out(options.json ? `${JSON.stringify(status)}\n` : describe(status))
    return
  }
  if (action === 'request') {
    if (!options['payout-wallet']) throw new UsageError('identity request needs --payout-wallet 0x… (the wallet the account is paid to).')
    if (!options.name) throw new UsageError('identity request needs --name NAME (the worker name this rig registers with).')
    const request = identity.requestDelegation({
      payoutWallet: options['payout-wallet'],
      workerName: options.name,
      validDays: positiveInt(options['valid-days'], 'valid-days', DEFAULT_VALID_DAYS),
    })
    if (options.json) return void out(`${JSON.stringify(request)}\n`)
    out(
      `Sign this message with the payout wallet ${checksumAddress(request.payload.payout_wallet as Address)} ("Sign message" / personal_sign in any wallet),\n` +
        `then run: ${INSTALL_HINT}\n\n${request.message}\n`,
    )
    return
  }
  if (!options.signature) throw new UsageError(`identity install needs --signature 0x… (what the wallet produced). ${USAGE}`)
  const status = identity.install(options.signature)
  out(options.json ? `${JSON.stringify(status)}\n` : `Installed. ${describe(status)}`)
}

/**
 * `identity enroll`: one-click enrollment for a headless rig. Prints the approval link and waits for the owner to
 * approve it in the console; the API key the grid activates goes to `--api-key-file` (0600) for `gridforge worker`.
 * Stopped with Ctrl-C, the same command later resumes the same enrollment.
 */
async function enroll(options: IdentityOptions, out: (text: string) => void): Promise<void> {
  if (!options.name) throw new UsageError('identity enroll needs --name NAME (the worker name this rig registers with).')
  const file = options['api-key-file']
  if (!file) throw new UsageError('identity enroll needs --api-key-file F (where the API key the grid activates for this rig is written).')
  const keyFile = resolve(file)
  let said = ''
  const identity: WorkerIdentityService = new WorkerIdentityService({
    secrets: headlessSecrets(options.dataDir, 'gridforge identity'),
    gridUrl: () => options['grid-url'] ?? '',
    saveApiKey: async (apiKey) => writeKeyFile(keyFile, apiKey),
    log: (line) => process.stderr.write(`${line}\n`),
  })
  const report = (status: EnrollmentStatus | null) => {
    if (!status || options.json) return
    const text = status.state === 'waiting' && status.authorizeUrl ? `${status.message}\n  ${status.authorizeUrl}\n` : `${status.message}\n`
    if (text !== said) out(text)
    said = text
  }
  identity.events.on('identity.status', (status) => report(status.enrollment))
  // Ctrl-C ends the poll between two requests, so the saved enrollment is whole and the next run resumes it.
  const stop: { cause: StopCause | null } = { cause: null }
  const stopListening = onStopSignals((cause) => {
    stop.cause = cause
    void identity.close()
  })
  try {
    await identity.enroll({ workerName: options.name, validDays: positiveInt(options['valid-days'], 'valid-days', DEFAULT_VALID_DAYS) })
    await identity.enrollmentSettled()
  } finally {
    stopListening()
  }
  const status = identity.status()
  if (stop.cause && status.enrollment?.state !== 'done') {
    out(
      options.json ? `${JSON.stringify(status)}\n` : 'Stopped waiting for the approval; run the same command to resume this enrollment.\n',
    )
    process.exitCode = stop.cause === 'SIGINT' ? 130 : 143
    return
  }
  if (options.json) out(`${JSON.stringify(status)}\n`)
  else if (status.enrollment?.state === 'done')
    out(`${describe(status)}Run: gridforge worker --network aipg --api-key-file ${file} --name ${options.name} …\n`)
  else if (status.enrollment?.state === 'off')
    out(`Sign by hand instead: gridforge identity request --payout-wallet 0x… --name ${options.name}\n`)
  if (status.enrollment?.state !== 'done') process.exitCode = 1
}

/** The API key file for `gridforge worker`: written once, 0600; one that holds another key is not overwritten. */
function writeKeyFile(file: string, apiKey: string): void {
  if (existsSync(file)) {
    if (readFileSync(file, 'utf8').trim() === apiKey) return
    throw new Error(`${file} already holds another key; move it away or pass another --api-key-file.`)
  }
  writeFileSync(file, `${apiKey}\n`, { mode: 0o600, flag: 'wx' })
}

function describe(status: IdentityStatus): string {
  const lines = [`Worker key: ${checksumAddress(status.address as Address)}`]
  const d = status.delegation
  const until = d ? `${new Date(d.expiresAt * 1000).toISOString().slice(0, 10)}` : ''
  const renew = d ? `gridforge identity request --payout-wallet ${d.payoutWallet} --name ${d.workerName}` : ''
  if (status.state === 'installed')
    lines.push(`Delegation: worker "${d!.workerName}" signs for payout wallet ${d!.payoutWallet} until ${until}.`)
  if (status.state === 'expiring') lines.push(`Delegation: expires ${until}; renew it now: ${renew}`)
  if (status.state === 'expired') lines.push(`Delegation: expired ${until}; results go unsigned until you renew: ${renew}`)
  if (status.state === 'none')
    lines.push(
      'Delegation: none; results go unsigned. Run gridforge identity request --payout-wallet 0x… --name NAME, sign the message in your wallet, then install the signature.',
    )
  if (status.problem) lines.push(status.problem)
  if (status.enrollment?.state === 'waiting' || status.enrollment?.state === 'retrying')
    lines.push(
      `Enrollment of "${status.enrollment.workerName}" waiting for approval at ${status.enrollment.authorizeUrl} (gridforge identity enroll resumes it).`,
    )
  if (status.pending)
    lines.push(
      `Waiting for the signature of payout wallet ${status.pending.payoutWallet} for worker "${status.pending.workerName}": ${INSTALL_HINT}`,
    )
  return `${lines.join('\n')}\n`
}
