/** The constants of core's worker identity (§16.2; grid-core `services/worker_identity.py` and `config.py`). */
export const IDENTITY_VERSION = 1
/** Base: the chain core's delegations name. */
export const DELEGATION_CHAIN_ID = 8453
export const DELEGATION_AUDIENCE = 'api.aipowergrid.io'
export const MAX_DELEGATION_DAYS = 365
/** How far core lets a registration timestamp (and a delegation's issued_at) be from its own clock. */
export const REGISTRATION_SKEW_SECONDS = 300
export const DELEGATION_PREFIX = 'aipg-worker-delegation:v1:'
export const REGISTRATION_PREFIX = 'aipg-worker-registration:v1:'
export const DAY_SECONDS = 86_400
