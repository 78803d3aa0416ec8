import { z } from 'zod'

/** What a rig owner can be told about. */
export const ALERT_KINDS = ['rig-offline', 'evicted', 'strike-burst', 'engine-restarts', 'payout-sent', 'gpu-hot'] as const
export type AlertKind = (typeof ALERT_KINDS)[number]

/** Which body the webhook gets: generic JSON, Discord's `{content}` or Slack's `{text}`. */
export const WEBHOOK_FORMATS = ['json', 'discord', 'slack'] as const
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number]

/** One alert as delivered: never job text, prompts or keys. */
export interface Alert {
  kind: AlertKind | 'test'
  title: string
  /** One or two sentences saying what happened and what to do. */
  body: string
  at: number
}

/**
 * A webhook URL: https, or plain http to this machine only (a rig's own receiver, tests). A Discord or
 * Slack webhook URL carries its token in the path, so it is kept like a setting but never sent back whole.
 */
export const webhookUrlSchema = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => webhookUrlProblem(value) === null, { error: (issue) => webhookUrlProblem(String(issue.input)) ?? 'a webhook URL' })

const webAddress = z.url({ protocol: /^https?$/ })
/** Scheme, userinfo and host of a URL, as browsers split them (a `\` ends the host). */
const URL_PARTS = /^([a-z][a-z\d+.-]*):\/\/([^@/\\?#]*@)?(\[[^\]]*\]|[^:/\\?#]*)/i

/** Why a webhook URL cannot be used, in words; null when it can (empty means no webhook). */
export function webhookUrlProblem(value: string): string | null {
  if (value === '') return null
  const parts = URL_PARTS.exec(value)
  if (!webAddress.safeParse(value).success || !parts || [...value].some((char) => char.charCodeAt(0) <= 0x20)) {
    return 'the webhook URL is not a web address (https://…)'
  }
  if (parts[2]) return 'the webhook URL must not carry a user name or password'
  if (parts[1]!.toLowerCase() === 'https') return null
  if (isLoopbackHost(parts[3]!)) return null
  return 'the webhook URL must use https (plain http only to 127.0.0.1 or localhost)'
}

/** 127.0.0.0/8, ::1 and localhost: the only hosts a plain-http webhook may go to. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

const kindSwitches = z.strictObject(Object.fromEntries(ALERT_KINDS.map((kind) => [kind, z.boolean()])) as Record<AlertKind, z.ZodBoolean>)

/** What the user sets in the Alerts panel; checked at the host's door and on every read. */
export const alertSettingsSchema = z.strictObject({
  /** Off: nothing is delivered, whatever the kinds say. */
  enabled: z.boolean(),
  kinds: kindSwitches,
  desktop: z.boolean(),
  webhook: z.strictObject({ url: webhookUrlSchema, format: z.enum(WEBHOOK_FORMATS) }),
  /** The same kind is delivered at most once in this many minutes. */
  repeatMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  /** A rig of the account offline this long is worth an alert. */
  offlineMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
})
export type AlertSettings = z.infer<typeof alertSettingsSchema>

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  enabled: true,
  kinds: { 'rig-offline': true, evicted: true, 'strike-burst': true, 'engine-restarts': true, 'payout-sent': true, 'gpu-hot': true },
  desktop: true,
  webhook: { url: '', format: 'json' },
  repeatMinutes: 30,
  offlineMinutes: 10,
}

/** What the renderer is shown: the settings with the webhook URL cut to its origin and last characters. */
export interface AlertSettingsView extends Omit<AlertSettings, 'webhook'> {
  webhook: { configured: boolean; hint: string | null; format: WebhookFormat }
}

/** `alerts.configure`: like the settings, but a webhook URL left out keeps the stored one. */
export const alertConfigureSchema = alertSettingsSchema.extend({
  webhook: z.strictObject({ url: webhookUrlSchema.optional(), format: z.enum(WEBHOOK_FORMATS) }),
})
export type AlertConfigureRequest = z.infer<typeof alertConfigureSchema>

/** What "Send a test alert" did on each channel. */
export interface AlertTestResult {
  desktop: 'sent' | 'off'
  webhook: 'sent' | 'off' | 'failed'
  /** Why the webhook failed, in one sentence. */
  message: string | null
}
