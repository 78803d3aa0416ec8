import { checksumAddress, type Address } from '../../grid/identity/address.js'
import { headlessSecrets } from './headlessSecrets.js'
import type { IdentityStatus } from '../identity/identityStatus.js'
import { DEFAULT_VALID_DAYS, WorkerIdentityService } from '../identity/workerIdentityService.js'
import { positiveInt } from './options.js'
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
}

const USAGE =
  'Usage: gridforge identity show [--json] | request --payout-wallet 0x… --name NAME [--valid-days N] [--json] | install --signature 0x… [--json]'
const INSTALL_HINT = 'gridforge identity install --signature 0x…'

/** `gridforge identity show | request | install`: the worker key and its delegation, for headless rigs and scripts. */
export async function identityCommand(options: IdentityOptions): Promise<void> {
  const [action] = options.args
  if (!action || !['show', 'request', 'install'].includes(action)) throw new UsageError(USAGE)
  const identity = new WorkerIdentityService({ secrets: headlessSecrets(options.dataDir, 'gridforge identity') })
  const out = (text: string) => process.stdout.write(text)
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
  if (status.pending)
    lines.push(
      `Waiting for the signature of payout wallet ${status.pending.payoutWallet} for worker "${status.pending.workerName}": ${INSTALL_HINT}`,
    )
  return `${lines.join('\n')}\n`
}
