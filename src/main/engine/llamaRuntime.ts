import { basename } from 'node:path'
import { stat } from 'node:fs/promises'
import { totalmem } from 'node:os'
import {
  getLlama,
  GgufInsights,
  LlamaChat,
  LlamaCompletion,
  LlamaLogLevel,
  readGgufFileInfo,
  resolveChatWrapper,
  TokenBias,
  type ChatHistoryItem,
  type Token,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
} from 'node-llama-cpp'
import { ggufIdentityNames } from '../../grid/denRegistry.js'
import type { LoadedModel } from '../../shared/domain.js'
import type {
  FinishReason,
  GenerateRequest,
  GenerateResult,
  SamplingParams,
} from '../../shared/generation.js'
import { AppError } from '../../shared/result.js'
import type { HardwareInfo, ModelFit } from '../../shared/models.js'
import { assertComplete, inspectHardware, inspectModel } from './modelInspector.js'
import { chooseThreads, physicalCores } from './threads.js'
import { SequencePool, type SequenceMemory } from './sequencePool.js'
import { continuedWindow, stableCut, windowDropped, type ChatMemory, type TextMemory } from './conversationWindow.js'

/** Context size for chat when the model allows it; enough for a long conversation on a small PC. */
const DEFAULT_CONTEXT = 4096

interface Loaded {
  model: LlamaModel
  context: LlamaContext
  info: LoadedModel
  sequences: SequencePool
}

/** One generation's outcome, before the runtime adds its counts and timings. */
interface Turn {
  text: string
  reason: FinishReason
  /** Part of the conversation was left out to fit the context. */
  shifted: boolean
  memory: SequenceMemory
  /** Prompt size when known up front; otherwise derived from the sequence. */
  promptTokens: number | null
}

/** How the runtime reports streaming text and load progress. */
export interface RuntimeSink {
  /** New text, with the number of tokens generated so far. */
  text(text: string, tokens: number): void
  progress(progress: number): void
}

/**
 * Everything that touches llama.cpp. Lives only in the engine process. Load and unload run one at a
 * time (a model switch disposes context then model, in that order, before the next load).
 */
export class LlamaRuntime {
  private loaded: Loaded | null = null
  private lifecycle: Promise<unknown> = Promise.resolve()

  private constructor(
    private readonly llama: Llama,
    readonly cores: number,
  ) {}

  static async create(gpu: 'auto' | false): Promise<LlamaRuntime> {
    const cores = physicalCores()
    // maxThreads caps every context; without it the CPU default (>= 4) oversubscribes small machines.
    const llama = await getLlama({ gpu, maxThreads: cores, logLevel: LlamaLogLevel.error, build: 'never' })
    return new LlamaRuntime(llama, cores)
  }

  /** Where a model (path or URL) would run here; see `inspectModel`. */
  inspect(source: string): Promise<ModelFit> {
    return inspectModel(this.llama, source)
  }

  hardware(): Promise<HardwareInfo> {
    return inspectHardware(this.llama, this.cores)
  }

  get gpu(): string | null {
    return this.llama.gpu === false ? null : this.llama.gpu
  }

  /**
   * Loads a model with one context of `sequences` sequences (each its own KV cache: chat, grid slots,
   * API requests). Callers beyond that wait for a free sequence rather than fail.
   */
  load(path: string, threads: number | null, sequences: number, onProgress: (p: number) => void): Promise<LoadedModel> {
    return this.serialise(async () => {
      await this.disposeLoaded()
      const size = await fileSize(path)
      const fileInfo = await readGgufFileInfo(path).catch(() => {
        throw new AppError('MODEL_INVALID', `${basename(path)} is not a valid GGUF model file.`)
      })
      const insights = await GgufInsights.from(fileInfo, this.llama)
      assertComplete(path, size, fileInfo, insights)
      const cpuOnly = insights.estimateModelResourceRequirements({ gpuLayers: 0 })
      if (this.llama.gpu === false && cpuOnly.cpuRam > totalmem() * 0.9) {
        throw new AppError(
          'MODEL_TOO_LARGE',
          `${basename(path)} needs about ${gib(cpuOnly.cpuRam)} GiB of memory; this PC has ${gib(totalmem())} GiB.`,
        )
      }
      const model = await this.loadWithFallback(path, onProgress)
      try {
        const useThreads = threads ?? chooseThreads(size, this.cores)
        const trained = model.trainContextSize
        const context = await model.createContext({
          contextSize: { min: Math.min(256, trained), max: Math.min(DEFAULT_CONTEXT, trained) },
          sequences,
          threads: useThreads,
        })
        const info: LoadedModel = {
          path,
          fileName: basename(path),
          sizeBytes: size,
          architecture: fileInfo.metadata.general.architecture ?? null,
          ggufNames: ggufIdentityNames(fileInfo.metadata.general),
          contextSize: context.contextSize,
          hasChatTemplate: typeof fileInfo.metadata.tokenizer.chat_template === 'string',
          gpuLayers: model.gpuLayers,
          threads: useThreads,
        }
        this.loaded = { model, context, info, sequences: new SequencePool(context) }
        return info
      } catch (error) {
        await model.dispose()
        throw new AppError('MODEL_LOAD_FAILED', `Could not create a context for ${basename(path)}: ${message(error)}`)
      }
    })
  }

  unload(): Promise<void> {
    return this.serialise(() => this.disposeLoaded())
  }

  async generate(request: GenerateRequest, sink: RuntimeSink, signal: AbortSignal): Promise<GenerateResult> {
    const loaded = this.loaded
    if (!loaded) throw new AppError('NO_MODEL', 'No model is loaded; load one first.')
    const key = request.kind === 'chat' ? request.conversationId : undefined
    const lease = await loaded.sequences.acquire(key, signal)
    if (!lease) return { text: '', finishReason: 'abort', promptTokens: 0, completionTokens: 0, durationMs: 0, firstTokenMs: null }
    const { sequence } = lease
    const started = performance.now()
    const inputBefore = sequence.tokenMeter.usedInputTokens
    let memory: SequenceMemory | null = null
    try {
      let firstTokenAt: number | null = null
      let generated = 0
      const options = {
        ...samplingOptions(request.params),
        // Never ask for more than the context can hold next to at least a short prompt.
        maxTokens: Math.max(1, Math.min(request.params.maxTokens, loaded.info.contextSize - 16)),
        onToken: (tokens: Token[]) => {
          firstTokenAt ??= performance.now()
          generated += tokens.length
        },
        tokenBias: request.params.ignoreEos ? endOfGenerationBias(loaded.model) : undefined,
        signal,
        stopOnAbortSignal: true,
        onTextChunk: (text: string) => sink.text(text, generated),
      }
      const turn =
        request.kind === 'chat' && loaded.info.hasChatTemplate
          ? await this.chat(loaded, sequence, request, options, lease.memory as ChatMemory | null)
          : await this.complete(loaded, sequence, request, options, key ? { previous: lease.memory as TextMemory | null } : null)
      memory = turn.memory
      // Tokens actually sampled; re-tokenizing the text can count differently at token boundaries.
      const completionTokens = generated
      const promptTokens = turn.promptTokens ?? sequence.contextTokens.length - completionTokens
      // The meter counts evaluated tokens without logits; the prompt's last token always has them.
      const evaluated = Math.min(promptTokens, sequence.tokenMeter.usedInputTokens - inputBefore + 1)
      return {
        text: turn.text,
        finishReason: turn.reason,
        promptTokens,
        completionTokens,
        durationMs: performance.now() - started,
        firstTokenMs: firstTokenAt === null ? null : firstTokenAt - started,
        promptTokensEvaluated: evaluated,
        reusedTokens: Math.max(0, promptTokens - evaluated),
        contextShifted: turn.shifted,
      }
    } finally {
      lease.release(key !== undefined && memory !== null ? { key, memory } : undefined)
    }
  }

  private async chat(
    loaded: Loaded,
    sequence: LlamaContextSequence,
    request: Extract<GenerateRequest, { kind: 'chat' }>,
    options: ReturnType<typeof samplingOptions> & object,
    memory: ChatMemory | null,
  ): Promise<Turn> {
    const turns = withinTokens(loaded, request.turns, request.contextTokens, options.maxTokens)
    const chatWrapper = resolveChatWrapper(loaded.model)
    const chat = new LlamaChat({ contextSequence: sequence, chatWrapper })
    try {
      const history: ChatHistoryItem[] = turns.map((turn) =>
        turn.role === 'assistant'
          ? { type: 'model', response: [turn.content] }
          : { type: turn.role === 'system' ? 'system' : 'user', text: turn.content },
      )
      history.push({ type: 'model', response: [] })
      const window = continuedWindow(memory, history)
      const response = await chat.generateResponse(history, {
        ...options,
        contextShift: { lastEvaluationMetadata: window ? memory?.contextShiftMetadata : undefined },
        lastEvaluationContextWindow: { history: window, minimumOverlapPercentageToPreventContextShift: 0.5 },
      })
      const next: ChatMemory = {
        kind: 'chat',
        cleanHistory: response.lastEvaluation.cleanHistory,
        contextWindow: response.lastEvaluation.contextWindow,
        contextShiftMetadata: response.lastEvaluation.contextShiftMetadata,
      }
      return {
        text: response.response,
        reason: finishReason(response.metadata.stopReason),
        shifted: turns.length < request.turns.length || windowDropped(next),
        memory: next,
        promptTokens: null,
      }
    } finally {
      chat.dispose({ disposeSequence: false })
    }
  }

  private async complete(
    loaded: Loaded,
    sequence: LlamaContextSequence,
    request: GenerateRequest,
    options: ReturnType<typeof samplingOptions> & object,
    conversation: { previous: TextMemory | null } | null,
  ): Promise<Turn> {
    const completion = new LlamaCompletion({ contextSequence: sequence })
    try {
      const maxPromptTokens = request.kind === 'completion' ? request.maxPromptTokens : undefined
      const prompt = fitPrompt(loaded, promptOf(request), maxPromptTokens, options.maxTokens, conversation)
      const response = await completion.generateCompletionWithMeta(prompt.tokens, { ...options, contextShiftSize: contextShiftSize(loaded) })
      const trigger = response.metadata.stopReason === 'customStopTrigger' && request.params.stopInText
        ? response.metadata.customStopTrigger.filter((part) => typeof part === 'string').join('')
        : ''
      return {
        text: response.response + trigger,
        reason: finishReason(response.metadata.stopReason),
        shifted: prompt.cut > 0,
        memory: { kind: 'text', cut: prompt.cut },
        promptTokens: prompt.tokens.length,
      }
    } finally {
      completion.dispose({ disposeSequence: false })
    }
  }

  private async loadWithFallback(path: string, onProgress: (p: number) => void): Promise<LlamaModel> {
    try {
      return await this.llama.loadModel({ modelPath: path, gpuLayers: 'auto', onLoadProgress: onProgress })
    } catch (error) {
      if (this.llama.gpu === false) throw loadError(path, error)
      // A GPU that cannot hold the layers (driver, VRAM taken by a game) should not stop the user: run on CPU.
      try {
        return await this.llama.loadModel({ modelPath: path, gpuLayers: 0, onLoadProgress: onProgress })
      } catch (cpuError) {
        throw loadError(path, cpuError)
      }
    }
  }

  private async disposeLoaded(): Promise<void> {
    const loaded = this.loaded
    this.loaded = null
    if (!loaded) return
    loaded.sequences.clear()
    await loaded.context.dispose()
    await loaded.model.dispose()
  }

  private serialise<T>(task: () => Promise<T>): Promise<T> {
    const run = this.lifecycle.then(task, task)
    this.lifecycle = run.catch(() => undefined)
    return run
  }
}

/**
 * Drops the oldest turns after the system prompt until the history fits a conversation's own context
 * size next to the reply; the latest turn always stays. The loaded context's own limit is handled by
 * LlamaChat's context shift.
 */
function withinTokens(
  loaded: Loaded,
  turns: Extract<GenerateRequest, { kind: 'chat' }>['turns'],
  limit: number | undefined,
  maxTokens: number,
): Extract<GenerateRequest, { kind: 'chat' }>['turns'] {
  if (!limit || limit >= loaded.info.contextSize) return turns
  // Template markup costs a few tokens per turn on top of the text.
  const cost = (content: string) => loaded.model.tokenize(content).length + 8
  const system = turns[0]?.role === 'system' ? [turns[0]] : []
  const rest = turns.slice(system.length)
  let budget = limit - maxTokens - system.reduce((sum, turn) => sum + cost(turn.content), 0)
  const kept: typeof turns = []
  for (let i = rest.length - 1; i >= 0; i--) {
    const turn = rest[i]!
    budget -= cost(turn.content)
    if (budget < 0 && kept.length > 0) break
    kept.unshift(turn)
  }
  return [...system, ...kept]
}

/**
 * Tokens LlamaCompletion frees when a generation reaches the end of the context (its default); a
 * prompt longer than the context minus this is cut by the library itself, behind our back.
 */
function contextShiftSize(loaded: Loaded): number {
  return Math.max(1, Math.floor(loaded.info.contextSize / 10))
}

/**
 * Tokenizes a prompt and cuts it from the front so that it fits both the caller's limit and the context
 * together with the tokens to generate; the BOS token stays first. A conversation's prompt is cut where
 * it was cut last time when it still fits there (see `stableCut`), so its cache stays usable.
 */
function fitPrompt(
  loaded: Loaded,
  prompt: string,
  maxPromptTokens: number | undefined,
  maxTokens: number,
  conversation: { previous: TextMemory | null } | null,
): { tokens: Token[]; cut: number } {
  const bos = loaded.model.tokens.bos
  const text = loaded.model.tokenize(prompt)
  const head = bos === null ? [] : [bos]
  const { contextSize } = loaded.info
  // LlamaCompletion puts its own BOS in front of ours.
  const limit = Math.min(maxPromptTokens ?? Infinity, contextSize - maxTokens - 1, contextSize - contextShiftSize(loaded) - head.length)
  const room = Math.max(1, limit - head.length)
  const cut = conversation
    ? stableCut(text.length, room, conversation.previous?.cut ?? null)
    : Math.max(0, text.length - room)
  return { tokens: [...head, ...text.slice(cut)], cut }
}

function promptOf(request: GenerateRequest): string {
  if (request.kind === 'completion') return request.prompt
  // Models without a chat template continue text: hand them the conversation as plain prose.
  return request.turns.map((turn) => turn.content).join('\n')
}

function samplingOptions(params: SamplingParams) {
  return {
    maxTokens: params.maxTokens,
    temperature: params.temperature,
    topP: params.topP,
    topK: params.topK,
    minP: params.minP,
    seed: params.seed,
    repeatPenalty:
      params.repeatPenalty !== undefined && params.repeatPenalty !== 1
        ? { penalty: params.repeatPenalty, lastTokens: params.repeatPenaltyRange ?? 64 }
        : undefined,
    customStopTriggers: params.stop && params.stop.length > 0 ? params.stop : undefined,
  }
}

function endOfGenerationBias(model: LlamaModel): TokenBias {
  const bias = new TokenBias(model.tokenizer)
  for (const token of [model.tokens.eos, model.tokens.eot]) if (token !== null) bias.set(token, 'never')
  return bias
}

function finishReason(stopReason: string): FinishReason {
  if (stopReason === 'maxTokens') return 'length'
  if (stopReason === 'abort') return 'abort'
  return 'stop'
}

async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new AppError('MODEL_INVALID', `${path} is not a file.`)
    return info.size
  } catch (error) {
    if (error instanceof AppError) throw error
    throw new AppError('NOT_FOUND', `No model file at ${path}.`)
  }
}

function loadError(path: string, error: unknown): AppError {
  return new AppError('MODEL_LOAD_FAILED', `Could not load ${basename(path)}: ${message(error)}`)
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function gib(bytes: number): string {
  return (bytes / 1024 ** 3).toFixed(1)
}
