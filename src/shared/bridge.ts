import { z } from 'zod'
import { isLoopbackHost } from './alerts.js'

/**
 * Bridge mode (issue 18): the miner serves through an inference server the user already runs instead of
 * the model GridForge loads. The server's key is a secret: it goes to the host once and never comes back.
 */

/** OpenAI chat-completions (Ollama, vLLM, llama.cpp server, LM Studio, Jan) or KoboldAI (KoboldCpp). */
export const BACKEND_KINDS = ['openai', 'kobold'] as const
export type BridgeBackendKind = (typeof BACKEND_KINDS)[number]

/** Where the miner's tokens come from: GridForge's loaded model, or the server set here. */
export const BRIDGE_MODES = ['embedded', 'server'] as const
export type BridgeMode = (typeof BRIDGE_MODES)[number]

const URL_PARTS = /^(https?):\/\/([^@/\\?#]*@)?(\[[^\]]*\]|[^:/\\?#]*)/i

/** Why a server URL cannot be used, in one sentence; null when it can. */
export function bridgeUrlProblem(value: string): string | null {
  const parts = URL_PARTS.exec(value)
  if (!parts || !z.url().safeParse(value).success || /\s/.test(value))
    return 'the server URL is not a web address (http://127.0.0.1:11434/v1)'
  if (parts[2]) return 'the server URL must not carry a user name or password; put the key in the API key field'
  return null
}

/** Whether the key for `url` would cross the network in the clear (plain http to another machine). */
export function keyWouldLeak(url: string): boolean {
  const parts = URL_PARTS.exec(url)
  return !!parts && parts[1]!.toLowerCase() === 'http' && !isLoopbackHost(parts[3]!)
}

const serverUrl = z
  .string()
  .trim()
  .max(500)
  .refine((value) => bridgeUrlProblem(value) === null, { error: (issue) => bridgeUrlProblem(String(issue.input)) ?? 'a server URL' })
  .transform((value) => value.replace(/\/+$/, ''))

/** A server's id in the list: stable across edits, and the name its key is filed under. */
export const bridgeServerIdSchema = z.string().regex(/^[a-z0-9-]{1,40}$/, 'a server id is lowercase letters, digits and dashes')

const apiKeySchema = z.string().trim().min(1).max(512).regex(/^\S+$/, 'a key has no spaces')

/** A server as typed in the form: what "Test connection" tries. */
export const bridgeServerSchema = z.strictObject({
  /** The listed server this is (its stored key is used when no key is typed); absent: the first server. */
  id: bridgeServerIdSchema.optional(),
  kind: z.enum(BACKEND_KINDS),
  url: serverUrl,
  model: z.string().trim().max(300),
  /** A new key; absent keeps the stored one; null forgets it. */
  apiKey: apiKeySchema.nullable().optional(),
  /** The AIPG registry name the user says the model is (§16.5); null or absent: matched from the server's name. */
  gridModel: z.string().trim().max(100).nullable().optional(),
})
export type BridgeServerRequest = z.input<typeof bridgeServerSchema>

/** What the Bridge panel saves. */
export const bridgeConfigureSchema = bridgeServerSchema.extend({ mode: z.enum(BRIDGE_MODES) })
export type BridgeConfigureRequest = z.input<typeof bridgeConfigureSchema>

/** The most servers (and models) the miner runs at once: what `--backends-file` allows. */
export const MAX_BRIDGE_SERVERS = 16

const servedModelSchema = z.strictObject({
  name: z.string().trim().min(1, 'a model needs the name the server lists').max(300),
  /** The AIPG registry name the user picked; null: matched from the server's name. */
  gridModel: z.string().trim().max(100).nullable().default(null),
  /** Jobs at once and the longest reply for this model; null: the Earn settings decide. */
  slots: z.number().int().min(1).max(64).nullable().default(null),
  maxLength: z.number().int().min(1).max(32_768).nullable().default(null),
})
export type BridgeServedModel = z.output<typeof servedModelSchema>

const listedServerSchema = z.strictObject({
  id: bridgeServerIdSchema,
  kind: z.enum(BACKEND_KINDS),
  url: z.string().max(500),
  models: z.array(servedModelSchema).max(MAX_BRIDGE_SERVERS),
})
export type BridgeServer = z.output<typeof listedServerSchema>

/** The server list as saved; one model serves on one server only, so a job's model names the server that answers it. */
export const bridgeServersSchema = z
  .strictObject({
    mode: z.enum(BRIDGE_MODES),
    servers: z.array(listedServerSchema).max(MAX_BRIDGE_SERVERS),
  })
  .superRefine((value, context) => {
    const ids = value.servers.map((server) => server.id)
    const twiceId = ids.find((id, index) => ids.indexOf(id) !== index)
    if (twiceId) context.addIssue({ code: 'custom', message: `two servers share the id "${twiceId}"` })
    const models = value.servers.flatMap((server) => server.models.map((model) => model.name))
    const twice = models.find((name, index) => models.indexOf(name) !== index)
    if (twice) context.addIssue({ code: 'custom', message: `the model "${twice}" is listed twice; serve each model from one server` })
    if (models.length > MAX_BRIDGE_SERVERS)
      context.addIssue({ code: 'custom', message: `at most ${MAX_BRIDGE_SERVERS} models can be served at once` })
  })
export type BridgeServers = z.output<typeof bridgeServersSchema>

/** What the panel saves: the whole list, and the keys typed since (by server id; null forgets a key). Keys go one way. */
export const bridgeSaveServersSchema = z.strictObject({
  list: bridgeServersSchema,
  keys: z.record(bridgeServerIdSchema, apiKeySchema.nullable()).default({}),
})
export type BridgeSaveServersRequest = z.output<typeof bridgeSaveServersSchema>

/** One server as the renderer sees it: never its key, only whether one is stored, and what it did last. */
export interface BridgeServerView extends BridgeServer {
  hasKey: boolean
  /** Each model's grid names, in the order of `models`. */
  names: BridgeGridNames[]
  /** What this server did last while the miner used it, in one sentence (null before it was used). */
  status: { serving: boolean; message: string } | null
}

export interface BridgeServersView {
  mode: BridgeMode
  servers: BridgeServerView[]
}

/** The bridge settings as the renderer sees them: never the key, only whether one is stored. */
export interface BridgeSettingsView {
  mode: BridgeMode
  kind: BridgeBackendKind
  url: string
  model: string
  hasKey: boolean
  /** The registry name the user picked for the model; null: matched from the server's name. */
  gridModel: string | null
  /** The names the model is advertised under; null before a model is chosen. */
  names: BridgeGridNames | null
  /** What the miner's server did last, in one sentence (null before it was used). */
  status: { serving: boolean; message: string } | null
}

/** The answer of "Test connection": one sentence, and the models the server lists. */
export interface BridgeTestResult {
  ok: boolean
  message: string
  models: string[]
  /** The grid names of the model tested; null when none was chosen. */
  names: BridgeGridNames | null
}

/**
 * The names a bridged model is advertised under. Den pays AIPG's multiplier only to the exact registry
 * name (grid-protocol.md §16.5), so a registry model goes out under that name, never `grid/<model>`.
 */
export interface BridgeGridNames {
  aipg: string
  horde: string
  /** True when the AIPG name is a registry name. */
  registered: boolean
  /** Den's multiplier for the AIPG name (1 when it is not a registry name). */
  multiplier: number
  /**
   * Registry names the model may be when none matched for sure ("gpt-oss:latest" may be `gpt-oss-20b` or
   * `gpt-oss-120b`): the user picks one, or keeps the descriptive name.
   */
  suggestions: string[]
}

/** One server "Find servers on this PC" found answering on a loopback port. */
export interface FoundServer {
  /** The program that usually listens there (Ollama, LM Studio…); a guess from the port. */
  name: string
  kind: BridgeBackendKind
  url: string
  models: string[]
  /** It answered but wants an API key before it lists its models. */
  needsKey: boolean
}
