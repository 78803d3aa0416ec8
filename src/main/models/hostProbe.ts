/** How long the model host has to answer the first question before the catalog counts as offline. */
export const HOST_PROBE_TIMEOUT_MS = 4000

/**
 * Whether the host of `url` answers HTTP at all within a few seconds (any status counts: a 404 or a redirect
 * is an answer). Only the network failing (no DNS, no route, refused, or silence) makes it false.
 */
export async function hostAnswers(url: string, timeoutMs = HOST_PROBE_TIMEOUT_MS, fetchImpl: typeof fetch = fetch): Promise<boolean> {
  try {
    const response = await fetchImpl(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) })
    await response.body?.cancel()
    return true
  } catch {
    return false
  }
}
