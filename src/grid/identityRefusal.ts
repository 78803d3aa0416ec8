/**
 * What to do about core's refusal of a registration's worker identity (grid-core `services/worker_identity.py`
 * messages, close 4003), in one sentence; null when the grid's words are not about the identity.
 */
export function identityRefusalFix(said: string): string | null {
  if (/payout wallet does not match|not signed by the payout wallet/i.test(said)) {
    return "The delegation was signed for another wallet than the account's payout wallet: request a new delegation for the payout wallet set at console.aipowergrid.io and sign it with that wallet."
  }
  if (/delegation is required/i.test(said)) {
    return 'This grid requires a worker identity: set one up in the Identity panel of the Earn view (or gridforge identity request), sign it with the payout wallet and start again.'
  }
  if (/no valid payout wallet/i.test(said))
    return 'Set a payout wallet for the account at console.aipowergrid.io; a worker identity is checked against it.'
  if (/already used/i.test(said)) return 'The grid saw this registration proof before; restart the worker so that it sends a fresh one.'
  if (/stale|issued in the future/i.test(said))
    return "This computer's clock is more than 5 minutes off: set it right (enable network time) and start again."
  if (/has expired/i.test(said))
    return 'The delegation has expired: renew it (gridforge identity request, or Renew in the Earn view) and sign it again.'
  if (/different worker name/i.test(said)) return 'The delegation names another worker: request one for this worker name and sign it again.'
  if (/delegation|worker identity|registration proof|registration payload|worker registration/i.test(said)) {
    return 'Request a new delegation (gridforge identity request, or the Identity panel in the Earn view) and sign it again.'
  }
  return null
}
