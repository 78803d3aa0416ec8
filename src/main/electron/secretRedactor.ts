import type { SecretStore } from '../store/secretStore.js'

/** Shorter strings are not treated as secrets: replacing them would garble ordinary words in the log. */
const MIN_SECRET_LENGTH = 8

/** Key/value shapes that carry credentials, whatever the value is. */
const CREDENTIAL_PATTERNS: readonly RegExp[] = [
  /(\bbearer\s+)[^\s"',;]+/gi,
  /(\b(?:api[_-]?key|apikey|x-api-key|token|password|secret|authorization)\b["']?\s*[:=]\s*["']?)[^\s"',;&}]+/gi,
  /([#?&]token=)[^\s&#"']+/gi,
]

/**
 * Keeps secrets out of the log: every API key the app stores or reads is registered here, and any log
 * line has those values and anything shaped like a credential replaced before it is written.
 */
export class SecretRedactor {
  private readonly secrets = new Set<string>()

  /** Remembers a secret value so that it is never written, however it ends up in a message. */
  add(secret: string | null | undefined): void {
    const value = secret?.trim()
    if (value && value.length >= MIN_SECRET_LENGTH) this.secrets.add(value)
  }

  redact(text: string): string {
    let out = text
    for (const secret of this.secrets) out = out.split(secret).join('[secret]')
    for (const pattern of CREDENTIAL_PATTERNS) out = out.replace(pattern, '$1[secret]')
    return out
  }

  /** Redacts anything a logger may receive: strings, errors (message and stack), other values. */
  redactValue(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value)
    if (value instanceof Error) {
      const copy = new Error(this.redact(value.message))
      copy.name = value.name
      copy.stack = value.stack ? this.redact(value.stack) : undefined
      return copy
    }
    if (value && typeof value === 'object') {
      try {
        return this.redact(JSON.stringify(value))
      } catch {
        return '[unserializable]'
      }
    }
    return value
  }
}

/** A secret store that registers every key it stores or reads with the redactor. */
export function redactingSecretStore(store: SecretStore, redactor: SecretRedactor): SecretStore {
  return {
    get(name) {
      const value = store.get(name)
      redactor.add(value)
      return value
    },
    set(name, value) {
      redactor.add(value)
      store.set(name, value)
    },
    delete(name) {
      store.delete(name)
    },
    storage: () => store.storage?.() ?? 'private-file',
  }
}
