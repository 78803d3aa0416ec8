import type { Alert, WebhookFormat } from '../../shared/alerts.js'

/** Discord refuses a `content` over 2000 characters; Slack folds long texts, so the same cap keeps both readable. */
const MAX_TEXT = 2000

/** The webhook's JSON body: generic (every field), Discord-compatible `{content}` or Slack-compatible `{text}`. */
export function webhookBody(alert: Alert, format: WebhookFormat, rig: string | null): Record<string, unknown> {
  const where = rig ? ` (${rig})` : ''
  switch (format) {
    case 'discord':
      return { content: clip(`**${alert.title}**${where}\n${alert.body}`) }
    case 'slack':
      return { text: clip(`*${alert.title}*${where}\n${alert.body}`) }
    case 'json':
      return { source: 'gridforge', kind: alert.kind, title: alert.title, body: alert.body, rig, at: new Date(alert.at).toISOString() }
  }
}

function clip(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 1)}…`
}
