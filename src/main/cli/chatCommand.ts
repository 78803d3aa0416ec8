import { headlessSecrets } from './headlessSecrets.js'
import { createHost } from '../host/createHost.js'
import { forkLauncher } from '../engine/forkLauncher.js'
import { resolveModelArgument } from './modelArgument.js'
import { positiveInt } from './options.js'
import { UsageError } from './usage.js'
import { onStopSignals } from './stopSignals.js'

/** Options of `gridforge chat`. */
export interface ChatOptions {
  dataDir: string
  model?: string
  prompt?: string
  system?: string
  threads?: string
  version: string
  engineEntry: string
}

/**
 * One-shot local chat: loads the model, streams the reply to stdout and keeps the exchange in the
 * history like any other conversation. Ctrl-C stops the reply and keeps what was written.
 */
export async function chatCommand(options: ChatOptions): Promise<void> {
  if (!options.model) throw new UsageError('chat needs --model PATH|ID.')
  if (!options.prompt?.trim()) throw new UsageError('chat needs a prompt, e.g. gridforge chat --model m.gguf "Hello".')
  const host = createHost({
    dataDir: options.dataDir,
    shell: 'headless',
    version: options.version,
    launchEngine: forkLauncher(options.engineEntry),
    threads: positiveInt(options.threads, 'threads', null),
    ownsData: false,
    secrets: headlessSecrets(options.dataDir, 'gridforge chat'),
  })
  try {
    await host.engine.load(resolveModelArgument(options.model, host.paths.models))
    const finished = new Promise<{ state: string; error: string | null }>((done) => {
      host.chat.on('chat.delta', (delta) => process.stdout.write(delta.text))
      host.chat.on('chat.message', done)
    })
    const sent = host.chat.send(null, options.prompt, { systemPrompt: options.system?.trim() ?? '' })
    onStopSignals(() => host.chat.stop(sent.assistantMessage.id))
    const outcome = await finished
    process.stdout.write('\n')
    if (outcome.state === 'error') throw new UsageError(outcome.error ?? 'The reply failed.')
  } finally {
    await host.close()
  }
}
