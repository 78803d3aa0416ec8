import type { IdentityStatus } from './identityStatus.js'

/**
 * Which of the registered worker names the installed delegation signs, in one sentence. A delegation names one worker
 * name, and parallel slots register distinct names (rig-1, rig-2, …), so with several slots at most one is covered.
 */
export function identityCoverage(status: IdentityStatus, names: readonly string[]): string {
  const delegation = status.delegation
  if (!delegation || status.state === 'none')
    return `Results go unsigned: this rig has no delegation for its worker key ${status.address} (gridforge identity request).`
  if (status.state === 'expired')
    return `Results go unsigned: the delegation for "${delegation.workerName}" expired on ${day(delegation.expiresAt)}; renew it.`
  const covered = names.filter((name) => name === delegation.workerName)
  const until = `until ${day(delegation.expiresAt)}`
  if (covered.length === names.length)
    return `Results are signed by worker key ${status.address} (delegation for "${delegation.workerName}" ${until}).`
  const unsigned = names.filter((name) => name !== delegation.workerName)
  const signedPart = covered.length ? `only "${covered.join('", "')}" is signed` : 'none of them is signed'
  return `The delegation covers the worker name "${delegation.workerName}" ${until}, but this rig registers ${names.map((n) => `"${n}"`).join(', ')}: ${signedPart}; "${unsigned.join('", "')}" go${unsigned.length === 1 ? 'es' : ''} unsigned (a delegation names one worker; use one slot, or sign a delegation per name).`
}

function day(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10)
}
