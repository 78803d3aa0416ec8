/** A worker identity problem, said in one sentence a user can act on (a wrong wallet, a cut-off signature, an expired delegation). */
export class IdentityError extends Error {
  override name = 'IdentityError'
}
