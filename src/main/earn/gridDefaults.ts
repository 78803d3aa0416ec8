import type { Network } from '../../worker/ports.js'

/** The production grids. */
export const DEFAULT_GRID_URLS: Record<Network, string> = {
  aipg: 'https://api.aipowergrid.io',
  horde: 'https://aihorde.net',
}

/** Where people can learn about the worker; the third part of the bridge agent. */
const AGENT_URL = 'https://aipowergrid.io'

/** `GridForge:<version>:<url>`, the bridge agent and Client-Agent (grid-protocol.md §2). */
export function bridgeAgent(version: string): string {
  return `GridForge:${version}:${AGENT_URL}`
}

/**
 * Model names to advertise for a GGUF file: the catalog's names when the file came from the catalog (they
 * match what requesters ask for), otherwise AIPG's `grid/<model>` convention and koboldcpp's
 * `koboldcpp/<file stem>` on the Horde, which the Horde's model reference lists (§14).
 */
export function advertisedModels(
  network: Network,
  fileName: string,
  catalogNames: { aipg: string; horde: string } | null = null,
): string[] {
  if (catalogNames) return [catalogNames[network]]
  const stem = fileName.replace(/\.gguf$/i, '')
  return network === 'aipg' ? [`grid/${stem}`] : [`koboldcpp/${stem}`]
}
