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

/** A server as typed in the form: what "Test connection" tries. */
export const bridgeServerSchema = z.strictObject({
  kind: z.enum(BACKEND_KINDS),
  url: serverUrl,
  model: z.string().trim().max(300),
  /** A new key; absent keeps the stored one; null forgets it. */
  apiKey: z.string().trim().min(1).max(512).regex(/^\S+$/, 'a key has no spaces').nullable().optional(),
  /** The AIPG registry name the user says the model is (§16.5); null or absent: matched from the server's name. */
  gridModel: z.string().trim().max(100).nullable().optional(),
})
export type BridgeServerRequest = z.input<typeof bridgeServerSchema>

/** What the Bridge panel saves. */
export const bridgeConfigureSchema = bridgeServerSchema.extend({ mode: z.enum(BRIDGE_MODES) })
export type BridgeConfigureRequest = z.input<typeof bridgeConfigureSchema>

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
