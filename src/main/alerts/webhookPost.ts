import { isLoopbackHost } from '../../shared/alerts.js'

/** How a webhook call is bounded. */
export interface WebhookPolicy {
  /** Each attempt, redirects included, is abandoned after this. */
  timeoutMs: number
  attempts: number
  /** Wait before the second, third… attempt (the last value repeats). */
  backoffMs: number[]
  fetch: typeof fetch
  sleep: (ms: number) => Promise<void>
}

export const DEFAULT_WEBHOOK_POLICY: WebhookPolicy = {
  timeoutMs: 10_000,
  attempts: 3,
  backoffMs: [2000, 10_000],
  fetch: (...args) => fetch(...args),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref?.()),
}

const MAX_REDIRECTS = 3

/** How a webhook call ended; `message` is one sentence without the URL (it carries the hook's token). */
export type WebhookOutcome = { ok: true } | { ok: false; message: string }

/**
 * POSTs `body` as JSON. Retries network failures, time-outs, 429 and 5xx with backoff; gives up at once on
 * other refusals. A redirect is followed only to the same host over https (plain http only on loopback),
 * so a hook can never be bounced to another server or off TLS with the alert.
 */
export async function postWebhook(url: string, body: unknown, policy: WebhookPolicy): Promise<WebhookOutcome> {
  const json = JSON.stringify(body)
  let last: WebhookOutcome = { ok: false, message: 'The webhook was not called.' }
  for (let attempt = 0; attempt < policy.attempts; attempt++) {
    if (attempt > 0) await policy.sleep(policy.backoffMs[Math.min(attempt - 1, policy.backoffMs.length - 1)] ?? 0)
    const result = await attemptOnce(url, json, policy)
    if (result.outcome.ok || !result.retry) return result.outcome
    last = result.outcome
  }
  return last
}

async function attemptOnce(url: string, json: string, policy: WebhookPolicy): Promise<{ outcome: WebhookOutcome; retry: boolean }> {
  const signal = AbortSignal.timeout(policy.timeoutMs)
  let target = new URL(url)
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const response = await policy.fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'GridForge alerts' },
        body: json,
        redirect: 'manual',
        signal,
      })
      await response.body?.cancel().catch(() => undefined)
      if (response.status >= 300 && response.status < 400) {
        const next = redirectTarget(target, response.headers.get('location'))
        if (!next)
          return {
            outcome: { ok: false, message: `The webhook redirected to another host or off https (HTTP ${response.status}); not followed.` },
            retry: false,
          }
        target = next
        continue
      }
      if (response.ok) return { outcome: { ok: true }, retry: false }
      const retry = response.status === 429 || response.status >= 500
      return { outcome: { ok: false, message: `The webhook answered HTTP ${response.status}.` }, retry }
    }
    return { outcome: { ok: false, message: 'The webhook redirected too many times.' }, retry: false }
  } catch {
    const timedOut = signal.aborted
    return {
      outcome: {
        ok: false,
        message: timedOut
          ? `The webhook did not answer within ${Number((policy.timeoutMs / 1000).toFixed(1))} s.`
          : 'The webhook could not be reached.',
      },
      retry: true,
    }
  }
}

/** The redirect's target when it stays on the same host and on https (or loopback http); otherwise null. */
export function redirectTarget(from: URL, location: string | null): URL | null {
  if (!location) return null
  let next: URL
  try {
    next = new URL(location, from)
  } catch {
    return null
  }
  if (next.host !== from.host) return null
  if (next.protocol === 'https:') return next
  return next.protocol === 'http:' && isLoopbackHost(next.hostname) ? next : null
}
