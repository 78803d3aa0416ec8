import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { EngineSupervisor } from '../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../src/main/engine/forkLauncher.js'
import type Database from 'better-sqlite3'
import { IMPORT_SLICE_MS, parseImport, storeImport } from '../src/main/chat/transfer/importChats.js'
import { importOnThread, THREAD_REST_MS, THREAD_SLICE_MS } from '../src/main/chat/transfer/importOnThread.js'
import { EXPORT_VERSION } from '../src/main/chat/transfer/exportFormat.js'
import { LOW_PRIORITY_REST_MS } from '../src/main/chat/transfer/importThreadMessages.js'
import { MESSAGES_PER_PIECE } from '../src/main/chat/transfer/importFileReader.js'
import { ChatRepository } from '../src/main/store/chatRepository.js'
import { JobsRepository } from '../src/main/store/jobsRepository.js'
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
  longestWaitMs: number
  megabytes: number
}

/** A fresh data folder's chat store; `close` removes the folder. */
function freshStore(): { db: Database.Database; repo: ChatRepository; close(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'gridforge-importbench-'))
  const db = openDatabase(join(dir, 'gridforge.db'))
  return {
    db,
    repo: new ChatRepository(db),
    close() {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Where an import runs: on its own thread with its own connection (the app's way), or parsed on a thread and stored here. */
type Where = 'thread' | 'inProcess'

/**
 * One import of a `MESSAGES`-message conversation, parse included; the longest this event loop waited
 * meanwhile. CPU is the whole process's, the import thread's included.
 */
async function importOnce(text: string, store: ReturnType<typeof freshStore>, where: Where): Promise<ImportRun> {
  const delay = monitorEventLoopDelay({ resolution: 5 })
  delay.enable()
  const cpuStart = process.cpuUsage()
  const start = performance.now()
  if (where === 'thread') {
    if ((await importOnThread(text, { db: store.db })) === null) throw new Error('the import thread did not start')
  } else {
    await storeImport(store.repo, await parseImport(text))
  }
  const wallMs = performance.now() - start
  delay.disable()
  const cpu = process.cpuUsage(cpuStart)
  return {
    messagesPerS: MESSAGES / (wallMs / 1000),
    messagesPerCpuS: MESSAGES / ((cpu.user + cpu.system) / 1e6),
    longestWaitMs: delay.max / 1e6,
    megabytes: text.length / 1e6,
  }
}

/**
 * How long the host's own writes wait while the import thread writes: a chat message appended through the
 * host's connection every few milliseconds (an IMMEDIATE transaction, as every host write that reads first).
 */
async function hostWritesDuringImport(text: string): Promise<number[]> {
  const store = freshStore()
  const mine = store.repo.createConversation('The host writes here')
  const waits: number[] = []
  let parent: string | null = null
  let importing = true
  try {
    const done = importOnThread(text, { db: store.db }).finally(() => (importing = false))
    while (importing) {
      await new Promise((resolve) => setTimeout(resolve, 4))
      const began = performance.now()
      parent = store.repo.appendMessage({
        conversationId: mine.id,
        parentId: parent,
        role: 'user',
        content: 'meanwhile',
        state: 'complete',
        model: null,
      }).id
      waits.push(performance.now() - began)
    }
    await done
  } finally {
    store.close()
  }
  return waits
}

/** Imports on the import thread one after another into `store` until `until` settles. */
async function importWhile(text: string, store: ReturnType<typeof freshStore>, until: Promise<unknown>): Promise<ImportRun[]> {
  let done = false
  void until.finally(() => (done = true))
  const runs: ImportRun[] = []
  while (!done) runs.push(await importOnce(text, store, 'thread'))
  return runs
}

const load = () => loadavg()[0]!.toFixed(1)

/** The longest this event loop waits in `ms` with nothing running: what the machine's load alone costs it. */
async function idleEventLoopWait(ms: number): Promise<number> {
  const delay = monitorEventLoopDelay({ resolution: 5 })
  delay.enable()
  await new Promise((resolve) => setTimeout(resolve, ms))
  delay.disable()
  return delay.max / 1e6
}

/** Imports alone, once each way, each into a fresh store. */
async function importAlone(text: string, where: Where): Promise<ImportRun> {
  const store = freshStore()
  return importOnce(text, store, where).finally(() => store.close())
}

/**
 * Importing one 100,000-message conversation: messages stored per second (wall and per second of this
 * process's CPU, which is what a loaded machine leaves comparable), on the import thread and in process,
 * the longest this event loop waited, how long the host's own writes wait meanwhile; with `engineEntry`,
 * the worker's job overhead through this process in rounds that alternate quiet and importing (the miner
 * must not notice an import), with the load average of each round.
 */
export async function chatImportBench(options: { engineEntry?: string; model?: string; quick?: boolean } = {}): Promise<Metric[]> {
  const text = exportFile(MESSAGES)
  const loadBefore = load()
  const alone = await importAlone(text, 'thread')
  const inProcess = await importAlone(text, 'inProcess')
  const waits = await hostWritesDuringImport(text)
  const idle = await idleEventLoopWait(Math.max(1000, MESSAGES / (alone.messagesPerS / 1000)))
  const metrics = [
    metric(
      'chat_import.messages_per_s',
      alone.messagesPerS,
      'msg/s',
      '>= 20000',
      `${MESSAGES} messages, ${alone.megabytes.toFixed(1)} MB, parse included, on the import thread; load average ${loadBefore}→${load()} on ${availableParallelism()} cores`,
    ),
    // On a shared machine the wall clock mostly measures the other processes; CPU time is this import's own cost.
    metric(
      'chat_import.messages_per_cpu_s',
      alone.messagesPerCpuS,
      'msg/s',
      '>= 20000',
      "the same, per second of this process's CPU (all threads)",
    ),
    metric(
      'chat_import.longest_event_loop_wait',
      alone.longestWaitMs,
      'ms',
      undefined,
      `the host thread's, while the import thread runs (slices of ${THREAD_SLICE_MS} ms, rests of ${process.platform === 'linux' ? `${LOW_PRIORITY_REST_MS} ms at the lowest CPU priority` : `${THREAD_REST_MS} ms`})`,
    ),
    metric(
      'chat_import.idle_event_loop_wait',
      idle,
      'ms',
      undefined,
      "this event loop's longest wait with nothing running, as long as the import took",
    ),
    metric(
      'chat_import.in_process.messages_per_cpu_s',
      inProcess.messagesPerCpuS,
      'msg/s',
      undefined,
      'in-memory and exclusive-mode databases',
    ),
    metric(
      'chat_import.in_process.longest_event_loop_wait',
      inProcess.longestWaitMs,
      'ms',
      undefined,
      `stored here in slices of ${IMPORT_SLICE_MS} ms, read ${MESSAGES_PER_PIECE} messages a piece`,
    ),
    metric(
      'chat_import.host_write_wait_ms.p50',
      percentile(waits, 50),
      'ms',
      undefined,
      `${waits.length} chat messages written by the host during an import`,
    ),
    metric('chat_import.host_write_wait_ms.p99', percentile(waits, 99), 'ms'),
    metric('chat_import.host_write_wait_ms.max', Math.max(...waits), 'ms'),
  ]
  if (!options.engineEntry || !options.model) return metrics

  const engine = new EngineSupervisor({ launch: forkLauncher(options.engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }), sequences: 4 })
  try {
    await engine.load(options.model)
    const rounds = options.quick ? 2 : 4
    const jobs = options.quick ? 40 : 80
    // Quiet and importing in turn, round after round, in one run: the machine's load drifts, and pooling
    // alternate rounds spreads the drift over both sides.
    const quiet: number[] = []
    const importing: number[] = []
    const loads: string[] = []
    const imports: ImportRun[] = []
    const store = freshStore()
    // The real job ledger, in the database the imports write to: each job's row waits for the thread's slice.
    const ledger = new JobsRepository(store.db)
    try {
      for (let round = 0; round < rounds; round += 1) {
        quiet.push(...(await runJobs(engine, 'aipg', 1, jobs, 32, undefined, ledger)).overheads)
        const jobsDuring = runJobs(engine, 'aipg', 1, jobs, 32, undefined, ledger)
        imports.push(...(await importWhile(text, store, jobsDuring)))
        importing.push(...(await jobsDuring).overheads)
        loads.push(load())
      }
    } finally {
      store.close()
    }
    const note = `${rounds} rounds of ${jobs} AIPG jobs each way, alternating, the job ledger in the imports' database; load average after each round ${loads.join(', ')}`
    metrics.push(
      metric('chat_import.worker_overhead_ms.p50.quiet', percentile(quiet, 50), 'ms', '< 5', note),
      metric('chat_import.worker_overhead_ms.p99.quiet', percentile(quiet, 99), 'ms', '< 25'),
      metric('chat_import.worker_overhead_ms.p50.importing', percentile(importing, 50), 'ms', '< 5', `${imports.length} imports meanwhile`),
      metric('chat_import.worker_overhead_ms.p99.importing', percentile(importing, 99), 'ms', '< 25'),
      metric(
        'chat_import.worker_overhead_p99_importing_vs_quiet',
        percentile(importing, 99) / percentile(quiet, 99),
        'ratio',
        undefined,
        'the same run, alternate rounds pooled',
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
