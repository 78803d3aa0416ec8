import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseImport, storeImport } from '../src/main/chat/transfer/importChats.js'
import { EXPORT_VERSION } from '../src/main/chat/transfer/exportFormat.js'
import { ChatRepository } from '../src/main/store/chatRepository.js'
import { openDatabase } from '../src/main/store/database.js'
import { DEFAULT_CONVERSATION_SETTINGS } from '../src/shared/chatSettings.js'
import { metric, table, type Metric } from './metrics.js'

const MESSAGES = 100_000

/** A GridForge export of one conversation of `count` messages in a chain, as a user would import it. */
function exportFile(count: number): string {
  const messages = Array.from({ length: count }, (_, i) => ({
    id: `m${i}`,
    parentId: i === 0 ? null : `m${i - 1}`,
    role: i % 2 ? 'assistant' : 'user',
    content: i % 2 ? `A reply of a few sentences, number ${i}, about nothing in particular. It goes on a little.` : `Question ${i}?`,
    state: 'complete',
    error: null,
    model: i % 2 ? 'stories260K.gguf' : null,
    selectedAt: i + 1,
    createdAt: i,
    updatedAt: i,
  }))
  const conversation = {
    id: 'long',
    title: 'A very long chat',
    createdAt: 0,
    updatedAt: count,
    settings: DEFAULT_CONVERSATION_SETTINGS,
    messages,
  }
  return JSON.stringify({ format: 'gridforge-chat', version: EXPORT_VERSION, exportedAt: 0, conversations: [conversation] })
}

/**
 * Importing one 100,000-message conversation: messages stored per second, and the longest the event loop
 * waited meanwhile (what jobs, the UI and the local API would wait at most).
 */
export async function chatImportBench(): Promise<Metric[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gridforge-importbench-'))
  const db = openDatabase(join(dir, 'gridforge.db'))
  try {
    const repo = new ChatRepository(db)
    const text = exportFile(MESSAGES)
    const cpuStart = process.cpuUsage()
    const parseStart = performance.now()
    const conversations = parseImport(text)
    const parseMs = performance.now() - parseStart
    const delay = monitorEventLoopDelay({ resolution: 5 })
    delay.enable()
    const start = performance.now()
    await storeImport(repo, conversations)
    const storeMs = performance.now() - start
    const cpu = process.cpuUsage(cpuStart)
    const cpuS = (cpu.user + cpu.system) / 1e6
    delay.disable()
    return [
      metric(
        'chat_import.messages_per_s',
        MESSAGES / ((parseMs + storeMs) / 1000),
        'msg/s',
        '>= 20000',
        `${MESSAGES} messages, ${(text.length / 1e6).toFixed(1)} MB, parse included`,
      ),
      // On a shared machine the wall clock mostly measures the other processes; CPU time is this import's own cost.
      metric('chat_import.messages_per_cpu_s', MESSAGES / cpuS, 'msg/s', undefined, "the same, per second of this process's CPU"),
      metric('chat_import.parse', parseMs, 'ms', undefined, 'JSON and schema, one piece (not yielding)'),
      metric('chat_import.longest_event_loop_wait', delay.max / 1e6, 'ms', undefined, 'while storing, slices of 40 ms'),
    ]
  } finally {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${table(await chatImportBench())}\n`)
}
