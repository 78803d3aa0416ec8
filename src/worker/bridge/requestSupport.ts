import type { GenerateRequest } from '../../shared/generation.js'
import { BadJobRequest } from '../params.js'
import type { BackendCapabilities } from './backendTypes.js'

/** Refuses, as the request's fault, what this OpenAI backend model was not seen to support: the grid hears a client error. */
export function checkRequestSupported(request: GenerateRequest, capabilities: BackendCapabilities): void {
  if (request.kind === 'completion') return
  if (request.tools?.length && !capabilities.tools) throw new BadJobRequest("This worker's inference server does not accept tools.")
  if (request.responseFormat && request.responseFormat.type !== 'text' && !capabilities.responseFormat) {
    throw new BadJobRequest("This worker's inference server does not accept response_format.")
  }
}
