import { hexToBytes } from '@noble/hashes/utils.js'
import { generatePrivateKey, isPrivateKey } from '../../grid/identity/personalSign.js'
import { AppError } from '../../shared/result.js'
import type { SecretStore } from '../store/secretStore.js'

/** The secret's name: beside the grid API key, in the same store (0600 files headless, safeStorage on the desktop). */
export const WORKER_KEY_SECRET = 'aipg-worker-key'

/**
 * The rig's secp256k1 worker key, generated from the OS random source at first use. A stored key that does not read
 * back is refused rather than replaced: replacing it would silently orphan the delegation the user signed for it.
 */
export function loadOrCreateWorkerKey(secrets: SecretStore): Uint8Array {
  const stored = secrets.get(WORKER_KEY_SECRET)
  if (stored === null) {
    const key = generatePrivateKey()
    secrets.set(WORKER_KEY_SECRET, Buffer.from(key).toString('hex'))
    return key
  }
  if (stored.startsWith('enc:'))
    throw new AppError(
      'STORAGE_FAILED',
      "The worker key is locked in the desktop app's keychain; manage the identity from the desktop app on this account.",
    )
  const key = /^[0-9a-f]{64}$/.test(stored) ? hexToBytes(stored) : null
  if (!key || !isPrivateKey(key))
    throw new AppError(
      'STORAGE_FAILED',
      `The saved worker key (secret "${WORKER_KEY_SECRET}") is damaged; delete it to make a new one, then sign a new delegation.`,
    )
  return key
}
