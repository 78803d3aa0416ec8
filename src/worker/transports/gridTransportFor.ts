import type { WorkerSigner } from '../../grid/identity/workerSigner.js'
import type { GridTransport } from '../gridTransport.js'
import type { Clock, Logger } from '../ports.js'
import type { WorkerConfig } from '../workerTypes.js'
import { aipgTransport } from './aipgTransport.js'
import { hordeTransport } from './hordeTransport.js'

/** The transport of the configured network. */
export function gridTransportFor(
  config: WorkerConfig,
  deps: { clock: Clock; logger: Logger; fetch?: typeof fetch; signer?: WorkerSigner },
): GridTransport {
  return config.network === 'aipg' ? aipgTransport(config, deps) : hordeTransport(config, deps)
}
