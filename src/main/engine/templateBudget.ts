import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import { resolveChatWrapper, type ChatWrapper, type GgufFileInfo } from 'node-llama-cpp'

/**
 * What a model's chat template may cost to render a long conversation with tools. A GGUF's Jinja template
 * is code from whoever made the file: rendered on the engine's main thread, a nested loop hangs it for good
 * (Stop and Unload are messages that thread never reads again) and `range(10**9)` exhausts its heap.
 */
export interface TemplateBudget {
  /** Rendering time once the checker is up (loading node-llama-cpp there is not the template's cost). */
  renderMs: number
  /** The checker's V8 heap; past it the checker dies, the engine does not. */
  heapMb: number
  /** Characters of the rendered probe; real templates produce a few thousand. */
  outputChars: number
  /** How long the checker may take to start at all. */
  startMs: number
}

/**
 * Real templates render the probe in well under a second, but node-llama-cpp's wrapper choice renders a
 * large one (Qwen3's) dozens of times, which took over 2 s on a busy 2-core machine: the default leaves
 * room for that. `GRIDFORGE_TEMPLATE_RENDER_MS` sets another limit (tests of hostile templates).
 */
export const DEFAULT_TEMPLATE_BUDGET: TemplateBudget = {
  renderMs: Number(process.env.GRIDFORGE_TEMPLATE_RENDER_MS) || 15_000,
  heapMb: 96,
  outputChars: 2_000_000,
  startMs: 30_000,
}

export type TemplateVerdict = { ok: true } | { ok: false; why: string }

/** Turns in the probe conversation, besides the system prompt and the question. */
const PROBE_TURNS = 6

/**
 * Verdicts about templates themselves (what they render, the memory they need), by what was checked and
 * under which limits, for the life of this process: loading the same model again (more slots, a reload
 * after Unload) skips the checker, about a second each time. A check that ran out of time or could not run
 * is not kept: that was the machine's state, not the template's.
 */
const remembered = new Map<string, TemplateVerdict>()
const REMEMBERED_MAX = 64

/*
 * Runs in the checker process: the same rendering the engine does for a chat (node-llama-cpp's wrapper
 * choice, which compares the template against its specialised wrappers, then the Jinja wrapper itself), on
 * a long conversation with a tool; it reports the largest output on stdout.
 */
const checkerSource = `
let input = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk) => { input += chunk })
process.stdin.on('end', async () => {
  const job = JSON.parse(input)
  const { resolveChatWrapper, JinjaTemplateChatWrapper } = await import(job.library)
  process.stdout.write('ready\\n')
  const history = [{ type: 'system', text: 'Answer briefly.' }]
  for (let i = 0; i < job.turns; i++) {
    history.push({ type: 'user', text: 'Question ' + i + '?' })
    history.push({ type: 'model', response: ['Answer ' + i + '.'] })
  }
  history.push({ type: 'user', text: 'And the next one?' }, { type: 'model', response: [] })
  const functions = { lookup: { description: 'Looks a word up.', params: { type: 'object', properties: { word: { type: 'string' } } } } }
  const fileInfo = { metadata: job.metadata }
  const architecture = job.metadata.general && job.metadata.general.architecture
  let largest = 0
  const measure = (create) => {
    try {
      const wrapper = create()
      for (const availableFunctions of [undefined, functions]) {
        const text = wrapper.generateContextState({ chatHistory: history, availableFunctions }).contextText.toString()
        largest = Math.max(largest, text.length)
      }
    } catch {}
  }
  measure(() => resolveChatWrapper({ fileInfo, filename: job.filename, architecture, warningLogs: false }))
  measure(() => new JinjaTemplateChatWrapper({ template: job.metadata.tokenizer.chat_template }))
  process.stdout.write('done ' + largest + '\\n')
})
`

/** The metadata a wrapper choice reads, without the vocabulary arrays (megabytes, and no template reads them). */
function templateMetadata(metadata: GgufFileInfo['metadata']): unknown {
  const { tokenizer, ...rest } = metadata
  const ggml = Object.fromEntries(Object.entries(tokenizer.ggml ?? {}).filter(([, value]) => !Array.isArray(value)))
  return { ...rest, tokenizer: { ...tokenizer, ggml } }
}

/**
 * Renders the model's chat template in a separate process under `budget`. A worker thread is not enough:
 * one large array allocation past a worker's heap limit aborts the whole process. The engine's main
 * thread only waits on a pipe, so it stays free for Stop and Unload, and a template's endless loop or
 * memory bomb ends with the checker. A template checked before in this process is answered from memory.
 */
export function checkChatTemplate(
  fileInfo: GgufFileInfo,
  filename: string,
  budget: TemplateBudget = DEFAULT_TEMPLATE_BUDGET,
): Promise<TemplateVerdict> {
  if (typeof fileInfo.metadata.tokenizer.chat_template !== 'string') return Promise.resolve({ ok: true })
  const library = pathToFileURL(createRequire(import.meta.url).resolve('node-llama-cpp')).href
  const job = JSON.stringify({ library, metadata: templateMetadata(fileInfo.metadata), filename, turns: PROBE_TURNS })
  const key = createHash('sha256').update(`${budget.renderMs} ${budget.heapMb} ${budget.outputChars}\n${job}`).digest('hex')
  const known = remembered.get(key)
  if (known) return Promise.resolve(known)
  return runChecker(job, budget).then(({ verdict, lasting }) => {
    if (lasting) remember(key, verdict)
    return verdict
  })
}

function remember(key: string, verdict: TemplateVerdict): void {
  if (remembered.size >= REMEMBERED_MAX) remembered.delete(remembered.keys().next().value!)
  remembered.set(key, verdict)
}

/** One checker process on `job`; `lasting` when the verdict is about the template rather than the time it got. */
function runChecker(job: string, budget: TemplateBudget): Promise<{ verdict: TemplateVerdict; lasting: boolean }> {
  // In Electron's utility process execPath is Electron itself; ELECTRON_RUN_AS_NODE makes it plain Node.
  const checker = spawn(process.execPath, [`--max-old-space-size=${budget.heapMb}`, '--input-type=module', '--eval', checkerSource], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['pipe', 'pipe', 'ignore'],
  })
  return new Promise((resolve) => {
    let settled = false
    const finish = (verdict: TemplateVerdict, lasting: boolean) => {
      clearTimeout(timer)
      if (!settled) resolve({ verdict, lasting })
      settled = true
      checker.kill('SIGKILL')
    }
    let timer = setTimeout(() => finish({ ok: false, why: 'did not finish its check in time' }, false), budget.startMs)
    createInterface({ input: checker.stdout }).on('line', (line) => {
      if (line === 'ready') {
        clearTimeout(timer)
        timer = setTimeout(
          () => finish({ ok: false, why: `takes longer than ${budget.renderMs / 1000} s to render` }, false),
          budget.renderMs,
        )
        return
      }
      const largest = /^done (\d+)$/.exec(line)
      if (largest)
        finish(
          Number(largest[1]) > budget.outputChars ? { ok: false, why: 'renders a conversation far larger than it is' } : { ok: true },
          true,
        )
    })
    checker.on('error', () => finish({ ok: false, why: 'could not be checked' }, false))
    // V8 aborts a process that runs out of heap (SIGABRT, or code 134 through a shell).
    checker.on('exit', (code, signal) => {
      const outOfMemory = signal === 'SIGABRT' || code === 134
      finish({ ok: false, why: outOfMemory ? 'needs more memory to render than a template may use' : 'could not be checked' }, outOfMemory)
    })
    checker.stdin.on('error', () => undefined)
    checker.stdin.end(job)
  })
}

/**
 * The model's family chat wrapper, chosen without its template (name, file name, architecture), or null
 * when nothing but the template says how the model chats.
 */
export function familyChatWrapper(fileInfo: GgufFileInfo, filename: string): ChatWrapper | null {
  const metadata = { ...fileInfo.metadata, tokenizer: { ...fileInfo.metadata.tokenizer, chat_template: undefined } }
  return resolveChatWrapper({
    fileInfo: { ...fileInfo, metadata } as GgufFileInfo,
    filename,
    architecture: fileInfo.metadata.general.architecture,
    noJinja: true,
    warningLogs: false,
  })
}
