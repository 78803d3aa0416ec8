import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { EngineSupervisor } from '../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../src/main/engine/forkLauncher.js'
import { IMPORT_SLICE_MS, parseImport, storeImport } from '../src/main/chat/transfer/importChats.js'
import { EXPORT_VERSION } from '../src/main/chat/transfer/exportFormat.js'
import { MESSAGES_PER_PIECE } from '../src/main/chat/transfer/importFileReader.js'
import { ChatRepository } from '../src/main/store/chatRepository.js'
import { openDatabase } from '../src/main/store/database.js'
import { DEFAULT_CONVERSATION_SETTINGS } from '../src/shared/chatSettings.js'
import { median, metric, table, type Metric } from './metrics.js'
import { percentile, runJobs } from './workerBench.js'

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

interface ImportRun {
  messagesPerS: number
  messagesPerCpuS: number
  parseMs: number
  longestWaitMs: number
  megabytes: number
}

/** A fresh data folder's chat store; `close` removes the folder. */
function freshStore(): { repo: ChatRepository; close(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'gridforge-importbench-'))
  const db = openDatabase(join(dir, 'gridforge.db'))
  return {
    repo: new ChatRepository(db),
    close() {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** One import of a `MESSAGES`-message conversation, parse included. */
async function importOnce(text: string, repo: ChatRepository): Promise<ImportRun> {
  const delay = monitorEventLoopDelay({ resolution: 5 })
  delay.enable()
  const cpuStart = process.cpuUsage()
  const parseStart = performance.now()
  const conversations = await parseImport(text)
  const parseMs = performance.now() - parseStart
  const start = performance.now()
  await storeImport(repo, conversations)
  const storeMs = performance.now() - start
  delay.disable()
  const cpu = process.cpuUsage(cpuStart)
  return {
    messagesPerS: MESSAGES / ((parseMs + storeMs) / 1000),
    messagesPerCpuS: MESSAGES / ((cpu.user + cpu.system) / 1e6),
    parseMs,
    longestWaitMs: delay.max / 1e6,
    megabytes: text.length / 1e6,
  }
}

/**
 * Imports one after another into `repo` until `until` settles; the imports' own speed meanwhile. One store
 * for them all, made before the jobs start: a fresh database's migrations and its removal hold the event loop
 * for 10–100 ms here, which a user's import never does, and the jobs' p99 measured that instead.
 */
async function importWhile(text: string, repo: ChatRepository, until: Promise<unknown>): Promise<ImportRun[]> {
  let done = false
  void until.finally(() => (done = true))
  const runs: ImportRun[] = []
  while (!done) runs.push(await importOnce(text, repo))
  return runs
}

const load = () => loadavg()[0]!.toFixed(1)

/**
 * Importing one 100,000-message conversation: messages stored per second (wall and per second of this
 * process's CPU, which is what a loaded machine leaves comparable), the longest the event loop waited
 * meanwhile; with `engineEntry`, the worker's job overhead through the same process with and without an
 * import running at the same time (the miner must not notice an import).
 */
export async function chatImportBench(options: { engineEntry?: string; model?: string; quick?: boolean } = {}): Promise<Metric[]> {
  const text = exportFile(MESSAGES)
  const fresh = freshStore()
  const alone = await importOnce(text, fresh.repo).finally(() => fresh.close())
  const metrics = [
    metric(
      'chat_import.messages_per_s',
      alone.messagesPerS,
      'msg/s',
      '>= 20000',
      `${MESSAGES} messages, ${alone.megabytes.toFixed(1)} MB, parse included; load average ${load()} on ${availableParallelism()} cores`,
    ),
    // On a shared machine the wall clock mostly measures the other processes; CPU time is this import's own cost.
    metric('chat_import.messages_per_cpu_s', alone.messagesPerCpuS, 'msg/s', '>= 20000', "the same, per second of this process's CPU"),
    metric(
      'chat_import.parse',
      alone.parseMs,
      'ms',
      undefined,
      `parsed on a worker thread, checked here ${MESSAGES_PER_PIECE} messages a piece`,
    ),
    metric('chat_import.longest_event_loop_wait', alone.longestWaitMs, 'ms', undefined, `parse and store, slices of ${IMPORT_SLICE_MS} ms`),
  ]
  if (!options.engineEntry || !options.model) return metrics

  const engine = new EngineSupervisor({ launch: forkLauncher(options.engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }), sequences: 4 })
  try {
    await engine.load(options.model)
    const jobs = options.quick ? 60 : 200
    // Quiet first, then with imports back to back for as long as the jobs take, then quiet again: the
    // machine's load drifts, and the two quiet runs show how much.
    const quiet = await runJobs(engine, 'aipg', 1, jobs, 32)
    const store = freshStore()
    const jobsDuring = runJobs(engine, 'aipg', 1, jobs, 32)
    const imports = await importWhile(text, store.repo, jobsDuring).finally(() => store.close())
    const during = await jobsDuring
    const quietAfter = await runJobs(engine, 'aipg', 1, jobs, 32)
    const quietP99 = Math.max(percentile(quiet.overheads, 99), percentile(quietAfter.overheads, 99))
    const note = `${jobs} AIPG jobs each, load average ${load()}`
    metrics.push(
      metric('chat_import.worker_overhead_ms.p50.quiet', percentile([...quiet.overheads, ...quietAfter.overheads], 50), 'ms', '< 5', note),
      metric('chat_import.worker_overhead_ms.p99.quiet', quietP99, 'ms', '< 25', 'the higher of the runs before and after'),
      metric(
        'chat_import.worker_overhead_ms.p50.importing',
        percentile(during.overheads, 50),
        'ms',
        '< 5',
        `${imports.length} imports meanwhile`,
      ),
      metric('chat_import.worker_overhead_ms.p99.importing', percentile(during.overheads, 99), 'ms', '< 25'),
      metric(
        'chat_import.worker_overhead_p99_importing_vs_quiet',
        percentile(during.overheads, 99) / quietP99,
        'ratio',
        undefined,
        'the same run; quiet is the higher of before and after',
      ),
      metric(
        'chat_import.messages_per_cpu_s.with_jobs',
        median(imports.map((run) => run.messagesPerCpuS)),
        'msg/s',
        undefined,
        'median of the imports during the jobs (the process CPU includes the jobs)',
      ),
    )
  } finally {
    await engine.close()
  }
  return metrics
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = fileURLToPath(new URL('..', import.meta.url))
  process.stdout.write(
    `${table(
      await chatImportBench({
        engineEntry: join(root, 'out', 'main', 'engineProcess.js'),
        model: join(root, 'tests', 'fixtures', 'models', 'stories260K.gguf'),
        quick: process.argv.includes('--quick'),
      }),
    )}\n`,
  )
}
