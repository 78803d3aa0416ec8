import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { IdentityError } from './identityError.js'

/** A 0x address in lower case: the form core compares and stores. */
export type Address = `0x${string}`

/** The address of an uncompressed secp256k1 public key (65 bytes, 0x04 first): the last 20 bytes of keccak(x‖y). */
export function addressOfPublicKey(uncompressed: Uint8Array): Address {
  if (uncompressed.length !== 65 || uncompressed[0] !== 4) throw new IdentityError('An address needs an uncompressed public key.')
  return `0x${bytesToHex(keccak_256(uncompressed.subarray(1)).subarray(12))}`
}

/** EIP-55: a hex letter is upper case where the matching nibble of keccak(lowercase hex) is 8 or more. */
export function checksumAddress(address: Address): string {
  const hex = address.slice(2).toLowerCase()
  const hash = bytesToHex(keccak_256(utf8ToBytes(hex)))
  let out = '0x'
  for (let i = 0; i < hex.length; i++) out += parseInt(hash[i]!, 16) >= 8 ? hex[i]!.toUpperCase() : hex[i]!
  return out
}

/**
 * Reads an address typed or pasted by a person. All-lower and all-upper case carry no checksum and are taken as they
 * are; mixed case is an EIP-55 checksum, and one that does not match means a typo, so it is refused rather than
 * silently lower-cased into someone else's wallet.
 */
export function parseAddress(input: string, label = 'The address'): Address {
  const text = input.trim()
  if (!/^0x[0-9a-fA-F]{40}$/.test(text))
    throw new IdentityError(`${label} must be 0x followed by 40 hexadecimal digits, not "${text.slice(0, 50)}".`)
  const lower = text.toLowerCase() as Address
  const body = text.slice(2)
  const mixed = body !== body.toLowerCase() && body !== body.toUpperCase()
  if (mixed && checksumAddress(lower) !== text) {
    throw new IdentityError(
      `${label} ${text} has a wrong EIP-55 checksum (its upper- and lower-case letters do not match); copy it again from your wallet.`,
    )
  }
  return lower
}
