import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { addressOfPublicKey, type Address } from './address.js'
import { IdentityError } from './identityError.js'

/** A 65-byte Ethereum signature as 0x-hex: r ‖ s ‖ v, v = 27 or 28. */
export type Signature = `0x${string}`

/** EIP-191 version 0x45 (`personal_sign`): keccak256("\x19Ethereum Signed Message:\n" + byte length + message). */
export function personalMessageHash(message: string): Uint8Array {
  const bytes = utf8ToBytes(message)
  return keccak_256(concatBytes(utf8ToBytes(`\x19Ethereum Signed Message:\n${bytes.length}`), bytes))
}

/** Signs like a wallet's personal_sign (RFC 6979 deterministic k, low s), returning r ‖ s ‖ v. */
export function personalSign(message: string, privateKey: Uint8Array): Signature {
  const recovered = secp256k1.sign(personalMessageHash(message), privateKey, { prehash: false, format: 'recovered' })
  return `0x${bytesToHex(recovered.subarray(1))}${(27 + recovered[0]!).toString(16)}`
}

/**
 * Reads a pasted signature, saying in one sentence what is wrong with it. Wallets write v as 27/28, some hardware
 * wallets as 0/1; both are accepted (core's eth_account does too) and the result always carries 27/28.
 */
export function parseSignature(input: string): Signature {
  const text = input.trim()
  if (!text) throw new IdentityError('The signature is empty; paste the 0x… signature your wallet produced.')
  const hex = text.replace(/^0x/i, '')
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw new IdentityError('The signature is not hexadecimal; it should be 0x followed by 130 hex digits.')
  if (hex.length !== 130) {
    const what = hex.length < 130 ? 'it looks cut off' : 'it is too long'
    throw new IdentityError(
      `The signature has ${hex.length} hex digits instead of 130 (${what}); copy the whole signature from your wallet.`,
    )
  }
  const v = parseInt(hex.slice(128), 16)
  if (![0, 1, 27, 28].includes(v))
    throw new IdentityError(`The signature ends in v = ${v}, not 27 or 28, so it is not an Ethereum personal_sign signature.`)
  return `0x${hex.slice(0, 128).toLowerCase()}${(v < 27 ? v + 27 : v).toString(16)}`
}

/** The lower-case address that signed `message`, for a signature already read by parseSignature. */
export function recoverPersonalSigner(message: string, signature: Signature): Address {
  const bytes = hexToBytes(signature.slice(2))
  const recovery = bytes[64]! - 27
  try {
    const point = secp256k1.Signature.fromBytes(concatBytes(Uint8Array.of(recovery), bytes.subarray(0, 64)), 'recovered').recoverPublicKey(
      personalMessageHash(message),
    )
    return addressOfPublicKey(point.toBytes(false))
  } catch {
    throw new IdentityError('The signature is not a valid secp256k1 signature (it recovers to no address).')
  }
}

/** The address of a worker key. */
export function addressOfPrivateKey(privateKey: Uint8Array): Address {
  return addressOfPublicKey(secp256k1.getPublicKey(privateKey, false))
}

/** A fresh worker key from the operating system's random source. */
export function generatePrivateKey(): Uint8Array {
  return secp256k1.utils.randomSecretKey()
}

/** Whether bytes are a usable secp256k1 private key (1 ≤ k < n). */
export function isPrivateKey(bytes: Uint8Array): boolean {
  return secp256k1.utils.isValidSecretKey(bytes)
}
