/** The registration frame of the AIPG worker WebSocket (grid-protocol.md §13.2). */
export interface AipgRegistration {
  apikey: string
  name: string
  models: string[]
  max_length: number
  max_context_length: number
  bridge_agent: string
  job_types: string[]
  api_formats: string[]
  modalities: string[]
}

/** What a worker registers as. */
export interface RegistrationFacts {
  apiKey: string
  name: string
  models: string[]
  maxLength: number
  maxContextLength: number
  /** The bridge agent, `GridForge:<version>:<url>`. */
  agent: string
}

/**
 * The frame: a text worker answering OpenAI chat bodies, text input only (node-llama-cpp has no vision,
 * §16.7), so the grid never routes it an image or another job type.
 */
export function aipgRegistration(facts: RegistrationFacts): AipgRegistration {
  return {
    apikey: facts.apiKey,
    name: facts.name,
    models: facts.models,
    max_length: facts.maxLength,
    max_context_length: facts.maxContextLength,
    bridge_agent: facts.agent,
    job_types: ['text'],
    api_formats: ['openai-chat'],
    modalities: ['text'],
  }
}
