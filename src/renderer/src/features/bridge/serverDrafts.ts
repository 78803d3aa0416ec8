import type { BridgeBackendKind, BridgeGridNames, BridgeServer, BridgeServerView, FoundServer } from '../../../../shared/bridge'

/** One model of a server card as typed: numbers stay text until saved, so a half-typed field is not lost. */
export interface ModelDraft {
  name: string
  gridModel: string
  slots: string
  maxLength: string
  /** Its grid names as the host last worked them out; null for a model typed since. */
  names: BridgeGridNames | null
}

/** One server card as typed; the key typed here goes to the host once, on save, and is never read back. */
export interface ServerDraft {
  id: string
  kind: BridgeBackendKind
  url: string
  models: ModelDraft[]
  apiKey: string
  forgetKey: boolean
  hasKey: boolean
  saved: boolean
}

/** Ollama's address: the most common server on a desktop, and what a new card starts with. */
export const NEW_SERVER_URL = 'http://127.0.0.1:11434/v1'

export const emptyModel = (name = ''): ModelDraft => ({ name, gridModel: '', slots: '', maxLength: '', names: null })

export function draftsOf(servers: readonly BridgeServerView[]): ServerDraft[] {
  return servers.map((server) => ({
    id: server.id,
    kind: server.kind,
    url: server.url,
    models: server.models.map((model, index) => ({
      name: model.name,
      gridModel: model.gridModel ?? '',
      slots: model.slots === null ? '' : String(model.slots),
      maxLength: model.maxLength === null ? '' : String(model.maxLength),
      names: server.names[index] ?? null,
    })),
    apiKey: '',
    forgetKey: false,
    hasKey: server.hasKey,
    saved: true,
  }))
}

/** The cards kept through a removal, as they were typed, with what the host now has saved of each. */
export function keptDrafts(kept: readonly ServerDraft[], servers: readonly BridgeServerView[]): ServerDraft[] {
  return kept.map((draft) => {
    const saved = servers.find((server) => server.id === draft.id)
    return { ...draft, saved: saved !== undefined, hasKey: saved?.hasKey ?? false }
  })
}

/** A card for a new server (or one "Find servers on this PC" found), under an id no card has. */
export function newDraft(drafts: readonly ServerDraft[], found?: FoundServer): ServerDraft {
  const ids = new Set(drafts.map((draft) => draft.id))
  let n = drafts.length + 1
  while (ids.has(`server-${n}`)) n += 1
  const models = found?.models.length === 1 ? [emptyModel(found.models[0])] : [emptyModel()]
  return {
    id: `server-${n}`,
    kind: found?.kind ?? 'openai',
    url: found?.url ?? NEW_SERVER_URL,
    models,
    apiKey: '',
    forgetKey: false,
    hasKey: false,
    saved: false,
  }
}

/** The list the host saves: blank model rows are left out, and empty numbers mean "the Earn settings decide". */
export function serversOf(drafts: readonly ServerDraft[]): BridgeServer[] {
  return drafts.map((draft) => ({
    id: draft.id,
    kind: draft.kind,
    url: draft.url.trim(),
    models: draft.models
      .filter((model) => model.name.trim())
      .map((model) => ({
        name: model.name.trim(),
        gridModel: model.gridModel || null,
        slots: numberOrNull(model.slots),
        maxLength: numberOrNull(model.maxLength),
      })),
  }))
}

/** The keys typed (or forgotten) since the last save, by server id. */
export function keysOf(drafts: readonly ServerDraft[]): Record<string, string | null> {
  const keys: Record<string, string | null> = {}
  for (const draft of drafts) {
    if (draft.apiKey.trim()) keys[draft.id] = draft.apiKey.trim()
    else if (draft.forgetKey) keys[draft.id] = null
  }
  return keys
}

const numberOrNull = (text: string) => (text.trim() ? Number(text) : null)

/** Why the cards cannot be saved as typed, in one sentence; null when they can. */
export function draftProblem(drafts: readonly ServerDraft[]): string | null {
  const names = drafts.flatMap((draft) => draft.models.map((model) => model.name.trim()).filter(Boolean))
  const twice = names.find((name, index) => names.indexOf(name) !== index)
  if (twice) return `The model "${twice}" is listed twice; serve each model from one server.`
  for (const [index, draft] of drafts.entries()) {
    for (const model of draft.models) {
      const who = `Server ${index + 1}, ${model.name.trim() || 'a model'}`
      if (!wholeIn(model.slots, 1, 64)) return `${who}: slots are a whole number from 1 to 64 (or empty for the Earn settings).`
      if (!wholeIn(model.maxLength, 1, 32_768))
        return `${who}: the max length is a whole number of tokens from 1 to 32768 (or empty for the Earn settings).`
    }
  }
  return null
}

function wholeIn(text: string, min: number, max: number): boolean {
  if (!text.trim()) return true
  const value = Number(text)
  return Number.isInteger(value) && value >= min && value <= max
}

/** What the saved list serves, in words: the sentence the save button confirms with. */
export function savedWords(servers: readonly BridgeServer[]): string {
  const models = servers.flatMap((server) => server.models).length
  const what = servers.length === 1 ? 'one server' : `${servers.length} servers`
  return `Saved: ${what}, ${models === 1 ? 'one model' : `${models} models`}.`
}
