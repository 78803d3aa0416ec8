/** AIPG pays on Base (chain id 8453); its block explorer shows each payout's transaction. */
const BASE_EXPLORER_TX = 'https://basescan.org/tx/'

/** The explorer page of a transaction hash, or null for anything that is not a 32-byte 0x-hex hash. */
export function explorerTxUrl(txHash: string | null): string | null {
  return txHash && /^0x[0-9a-fA-F]{64}$/.test(txHash) ? `${BASE_EXPLORER_TX}${txHash}` : null
}
