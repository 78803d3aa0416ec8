import { basename } from 'node:path'
import { stat } from 'node:fs/promises'
import { freemem, totalmem } from 'node:os'
import {
  getLlama,
  GgufInsights,
  LlamaChat,
  LlamaCompletion,
  LlamaLogLevel,
  readGgufFileInfo,
  TokenBias,
  type ChatHistoryItem,
  type ChatModelFunctions,
  type ChatWrapper,
  type LlamaChatResponse,
  type LlamaGrammar,
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
  ResponseFormat,
  SamplingParams,
  ToolCallDelta,
} from '../../shared/generation.js'
import { AppError } from '../../shared/result.js'
import type { HardwareInfo, ModelFit } from '../../shared/models.js'
import { assertComplete, inspectHardware, inspectModel } from './modelInspector.js'
import { chooseThreads, physicalCores } from './threads.js'
import { startChosenLlama } from './engineBuildLoader.js'
import { beginningToken, chatPromptTokens } from './promptTokens.js'
import { chatWrapperFor } from './chatWrapperChoice.js'
import { checkChatTemplate, familyChatWrapper } from './templateBudget.js'
import { SequencePool, type SequenceMemory } from './sequencePool.js'
import { batchSchedule } from './batchSchedule.js'
import { measureSlots, type SlotRun } from './slotMeasurement.js'
import { slotsWithinMemory, type SlotMeasurement } from './slotCalibration.js'
import { continuedWindow, stableCut, windowDropped, type ChatMemory, type TextMemory } from './conversationWindow.js'
import { afterThoughts, toChatFunctions, toChatHistory } from './chatHistory.js'
import { callBan } from './declinedCalls.js'
import { historyOptionsFor } from './chatTemplateTraits.js'
import { withDocumentedTools } from './documentedTools.js'
import { withForcedCall } from './forcedCalls.js'
import { GenerationStream } from './generationStream.js'
import { toGrammarSchema } from './jsonSchema.js'
import { mayPredict, PromptLookup } from './promptLookup.js'
import { leanCompletion } from './leanCompletion.js'
import { contextPlan, kvBytesPerToken } from './contextSizing.js'
import { DraftModel } from './draftModel.js'

/** Of the memory free before a CPU load, what the model and KV caches may take; the rest is compute buffers and the OS. */
const KV_SHARE_OF_FREE = 0.85

interface Loaded {
  model: LlamaModel
  context: LlamaContext
  info: LoadedModel
  sequences: SequencePool
  /** The wrapper chats use instead of the model's template, when that template is over its budget. */
  templateFallback: ChatWrapper | null
  insights: GgufInsights
  /** The smaller model that drafts chat replies, when one was given and fits. */
  draft: DraftModel | null
}

type ChatRequest = Extract<GenerateRequest, { kind: 'chat' }>

/** One generation's outcome, before the runtime adds its counts and timings. */
interface Turn {
  /** How the library's generation ended; the stream's stop matcher and tool calls refine it. */
  reason: FinishReason
  /** Tool calls the library returned, in order. */
  calls: Array<{ name: string }>
  /** Part of the conversation was left out to fit the context. */
  shifted: boolean
  /** What the sequence keeps for the conversation's next turn; null: nothing reusable. */
  memory: SequenceMemory | null
  /** Prompt size when known up front; otherwise derived from the sequence. */
  promptTokens: number | null
  /** Tokens sampled and then discarded (a declined attempt's first words), not part of the reply. */
  unused: number
}

/** How the runtime reports streaming output and load progress. */
export interface RuntimeSink {
  /** New content text, with the number of tokens generated so far. */
  text(text: string, tokens: number): void
  /** New thinking text (never part of the content). */
  reasoning(text: string, tokens: number): void
  /** A piece of a tool call. */
  toolCall(delta: ToolCallDelta, tokens: number): void
  progress(progress: number): void
}

/** The options every generation shares, LlamaChat's and LlamaCompletion's alike. */
type CommonOptions = ReturnType<typeof samplingOptions> & { signal: AbortSignal; stopOnAbortSignal: true; tokenBias: TokenBias | undefined }

/**
 * What runs a text completion without a grammar: the lean loop on the sequence (see `leanCompletion`),
 * or node-llama-cpp's LlamaCompletion, kept to compare the two and for grammars, whose stop triggers
 * and trimmed whitespace only LlamaCompletion implements.
 */
export type CompletionLoop = 'lean' | 'library'

/**
 * Everything that touches llama.cpp. Lives only in the engine process. Load and unload run one at a
 * time (a model switch disposes context then model, in that order, before the next load).
 */
export class LlamaRuntime {
  private loaded: Loaded | null = null
  private lifecycle: Promise<unknown> = Promise.resolve()
  /** The slot calibration running now; any generation cancels it. */
  private calibration: AbortController | null = null

  private constructor(
    private readonly llama: Llama,
    readonly cores: number,
    private readonly promptLookup: boolean,
    private readonly completionLoop: CompletionLoop,
  ) {}

  /**
   * `promptLookup`: draft tokens from the prompt (see PromptLookup); off only to measure without it.
   * `completionLoop`: 'library' only to compare the lean loop with LlamaCompletion.
   */
  static async create(gpu: 'auto' | false, promptLookup = true, completionLoop: CompletionLoop = 'lean'): Promise<LlamaRuntime> {
    const cores = physicalCores()
    // maxThreads caps every context; without it the CPU default (>= 4) oversubscribes small machines.
    const options = { maxThreads: cores, logLevel: LlamaLogLevel.error }
    const llama = await startChosenLlama(options, () => getLlama({ ...options, gpu, build: 'never' }))
    return new LlamaRuntime(llama, cores, promptLookup, completionLoop)
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
   * API requests), each sized to hold `needed` tokens (see `contextPlan`). Callers beyond that wait for a
   * free sequence rather than fail. `draftPath`: a smaller model of the same family to draft chat replies
   * with (see DraftModel); one that does not fit is left out, the reason in `draftNote`.
   */
  load(
    path: string,
    threads: number | null,
    sequences: number,
    onProgress: (p: number) => void,
    needed: number | null = null,
    draftPath: string | null = null,
  ): Promise<LoadedModel> {
    return this.serialise(async () => {
      await this.disposeLoaded()
      // Read before the model is mapped: what the machine has for the model and every sequence's KV cache.
      const available = freemem()
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
      const templateFallback = await this.templateFallback(fileInfo, path)
      const model = await this.loadWithFallback(path, onProgress)
      try {
        const useThreads = threads ?? chooseThreads(size, this.cores)
        let pool: SequencePool | null = null
        const context = await model.createContext({
          contextSize: contextPlan({
            needed,
            trained: model.trainContextSize,
            sequences,
            bytesPerToken: kvBytesPerToken(fileInfo),
            // On the CPU the caches share RAM with the model; on a GPU node-llama-cpp's VRAM check decides.
            kvBudgetBytes: model.gpuLayers === 0 ? Math.max(0, available * KV_SHARE_OF_FREE - cpuOnly.cpuRam) : null,
          }),
          sequences,
          // llama.cpp's own default (llama-bench, llama-server): on wherever the backend has it. On the CPU
          // it replaces the attention scratch of batch × context × heads floats (1.1B model at 2,048 tokens:
          // 197 → 115 MB allocated, 130 MB less resident after a 600-token prompt), with the same greedy text.
          flashAttention: 'auto',
          threads: useThreads,
          batching: {
            itemPrioritizationStrategy: batchSchedule({
              busy: () => pool?.inUse ?? 0,
              yielding: () => pool?.yielding ?? false,
              onBatch: (leftover) => pool?.batchStarted(leftover),
            }),
          },
        })
        const predictor = () => (this.promptLookup ? new PromptLookup() : undefined)
        pool = new SequencePool(context, predictor)
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
        const drafting = draftPath
          ? await DraftModel.open(this.llama, draftPath, {
              fileName: info.fileName,
              fileInfo,
              contextSize: context.contextSize,
              gpuLayers: model.gpuLayers,
              threads: useThreads,
            })
          : null
        if (drafting?.draft) info.draft = drafting.draft.fileName
        if (drafting?.refused) info.draftNote = drafting.refused
        this.loaded = { model, context, info, sequences: pool, templateFallback, insights, draft: drafting?.draft ?? null }
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

  /** Null when the model's own template may render its chats; otherwise its family's wrapper, or a refusal. */
  private async templateFallback(fileInfo: Awaited<ReturnType<typeof readGgufFileInfo>>, path: string): Promise<ChatWrapper | null> {
    const verdict = await checkChatTemplate(fileInfo, basename(path))
    if (verdict.ok) return null
    const family = familyChatWrapper(fileInfo, basename(path))
    if (!family)
      throw new AppError(
        'MODEL_INVALID',
        `The chat template in ${basename(path)} ${verdict.why}, and nothing else says how this model chats, so it was not loaded.`,
      )
    return family
  }

  /**
   * How many slots (up to `limit`) the memory this PC has free could hold for the loaded model: each is
   * a KV cache of the loaded context size, and a quarter of the memory stays free for the rest of the PC.
   */
  async slotRoom(limit: number): Promise<number> {
    const loaded = this.loaded
    if (!loaded) return 1
    const onGpu = this.llama.gpu !== false && loaded.model.gpuLayers > 0
    const estimate = (sequences: number) =>
      loaded.insights.estimateContextResourceRequirementsV2({
        contextSize: loaded.info.contextSize,
        modelGpuLayers: loaded.model.gpuLayers,
        sequences,
      })
    const [one, two] = await Promise.all([estimate(1), estimate(2)])
    const perSlotBytes = onGpu ? two.gpuVram - one.gpuVram : two.cpuRam - one.cpuRam
    const memory = onGpu ? await this.llama.getVramState() : { free: freemem(), total: totalmem() }
    // The context already holds a cache for each of its sequences: those count as room too.
    const held = perSlotBytes * loaded.context.totalSequences
    return slotsWithinMemory({ freeBytes: memory.free + held, perSlotBytes, reserveBytes: memory.total / 4, limit })
  }

  /**
   * Aggregate tokens/s with each of `counts` parallel generations on the loaded model (see
   * `measureSlots`). Null when no model is loaded, something is generating, or it was cancelled: by
   * `signal` or by any generation, which never waits for a calibration.
   */
  async calibrateSlots(counts: readonly number[], signal: AbortSignal): Promise<SlotMeasurement[] | null> {
    const loaded = this.loaded
    if (!loaded || this.calibration) return null
    const own = new AbortController()
    this.calibration = own
    try {
      return await measureSlots(calibrationRun(loaded.model), loaded.sequences, counts, AbortSignal.any([signal, own.signal]))
    } finally {
      this.calibration = null
    }
  }

  async generate(request: GenerateRequest, sink: RuntimeSink, signal: AbortSignal): Promise<GenerateResult> {
    this.calibration?.abort()
    const loaded = this.loaded
    if (!loaded) throw new AppError('NO_MODEL', 'No model is loaded; load one first.')
    const key = request.kind === 'chat' ? request.conversationId : undefined
    const lease = await loaded.sequences.acquire(key, signal)
    if (!lease) return { text: '', finishReason: 'abort', promptTokens: 0, completionTokens: 0, durationMs: 0, firstTokenMs: null }
    const { sequence } = lease
    const started = performance.now()
    const inputBefore = sequence.tokenMeter.usedInputTokens
    const outputBefore = sequence.tokenMeter.usedOutputTokens
    let memory: SequenceMemory | null = null
    const lookup = lease.predictor instanceof PromptLookup ? lease.predictor : null
    // A local conversation drafts with the draft model while no other one does; everything else looks up its prompt.
    const draft = lookup && request.kind === 'chat' && request.conversationId !== undefined ? (loaded.draft?.take() ?? null) : null
    lookup?.begin(sequence, mayPredict(request.params), draft?.predictor)
    try {
      // A matched stop string ends the generation the way an abort does; the finish reason tells them apart.
      const stopped = new AbortController()
      const stream = new GenerationStream(sink, request.params.stop, request.params.stopInText === true, () => stopped.abort())
      const options: CommonOptions = {
        ...samplingOptions(request.params),
        // Never ask for more than the context can hold next to at least a short prompt.
        maxTokens: Math.max(1, Math.min(request.params.maxTokens, loaded.info.contextSize - 16)),
        tokenBias: request.params.ignoreEos ? endOfGenerationBias(loaded.model) : undefined,
        signal: AbortSignal.any([signal, stopped.signal]),
        stopOnAbortSignal: true,
      }
      // A template-less model chats in prose, except where tools are involved: those need a chat wrapper.
      const viaChat = request.kind === 'chat' && (loaded.info.hasChatTemplate || usesTools(request))
      const kept = lease.memory as ChatMemory | TextMemory | null
      const turn = viaChat
        ? await this.chat(loaded, sequence, request, options, stream, kept?.kind === 'chat' ? kept : null)
        : await this.complete(loaded, sequence, request, options, stream, key ? { previous: kept?.kind === 'text' ? kept : null } : null)
      memory = turn.memory
      const output = stream.finish(turn.calls)
      const prediction = lookup?.end()
      // Every sampled token, including reasoning, tool calls and text the library held back (a grammar's
      // trailing whitespace, a stop string) that never reaches the token callbacks. Drafts the reply did
      // not use were evaluated with logits too, and then erased.
      const wasted = prediction ? prediction.drafted - prediction.accepted : 0
      const withLogits = sequence.tokenMeter.usedOutputTokens - outputBefore - turn.unused - wasted
      const completionTokens = Math.max(withLogits, stream.tokens - turn.unused)
      // The tokens evaluated with logits are the prompt's last one and every sampled token but the last,
      // which ends the generation unevaluated: the sequence holds the prompt and `withLogits - 1` more.
      const promptTokens = turn.promptTokens ?? Math.max(0, sequence.contextTokens.length - Math.max(0, withLogits - 1))
      // The meter counts evaluated tokens without logits; the prompt's last token always has them.
      const evaluated = Math.min(promptTokens, sequence.tokenMeter.usedInputTokens - inputBefore + 1)
      const finishReason: FinishReason = stream.stopped ? 'stop' : output.toolCalls.length > 0 ? 'tool-calls' : turn.reason
      return {
        text: output.text,
        ...(output.reasoning ? { reasoning: output.reasoning } : {}),
        ...(output.toolCalls.length > 0 ? { toolCalls: output.toolCalls } : {}),
        finishReason,
        promptTokens,
        completionTokens,
        durationMs: performance.now() - started,
        firstTokenMs: stream.firstTokenAt === null ? null : stream.firstTokenAt - started,
        promptTokensEvaluated: evaluated,
        reusedTokens: Math.max(0, promptTokens - evaluated),
        contextShifted: turn.shifted,
        ...(prediction && prediction.drafted > 0 ? { prediction } : {}),
      }
    } finally {
      lookup?.end()
      draft?.release()
      lease.release(key !== undefined && memory !== null ? { key, memory } : undefined)
    }
  }

  private async chat(
    loaded: Loaded,
    sequence: LlamaContextSequence,
    request: ChatRequest,
    options: CommonOptions,
    stream: GenerationStream,
    memory: ChatMemory | null,
  ): Promise<Turn> {
    const turns = withinTokens(loaded, request.turns, request.contextTokens, options.maxTokens)
    const chosen = loaded.templateFallback ?? chatWrapperFor(loaded.model)
    const tools = toolPlan(request)
    const listed = (request.tools?.length ?? 0) > 0 ? (tools?.all ?? toChatFunctions(request.tools ?? [])) : undefined
    const wrapper = listed ? withDocumentedTools(chosen, request.tools ?? [], listed) : chosen
    const history = toChatHistory(turns, historyOptionsFor(loaded.model, chosen))
    let maxTokens = options.maxTokens
    let promptTokens: number | null = null
    // A grid job or an API request must fit whole; only a local conversation may drop its oldest turns.
    if (request.conversationId === undefined && request.contextTokens === undefined) {
      promptTokens = renderedTokens(loaded, wrapper, history, tools?.all)
      const room = loaded.info.contextSize - promptTokens - 1
      if (room < 1) {
        throw new AppError(
          'BAD_REQUEST',
          `The request needs about ${promptTokens} tokens of context; the loaded model holds ${loaded.info.contextSize}.`,
        )
      }
      maxTokens = Math.min(maxTokens, room)
    }
    // A forced call has no content for a response_format to shape.
    const grammar = tools?.forced ? undefined : await this.grammarFor(request.responseFormat)
    // Tools the template lists but the reply may not call: tool_choice "none", or an answer held to response_format.
    const ban = listed && (!tools || grammar) ? callBan(loaded.model, chosen) : null
    const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: tools?.forced ? withForcedCall(wrapper) : wrapper })
    try {
      const window = continuedWindow(memory, history)
      const common = {
        ...options,
        maxTokens,
        onResponseChunk: (chunk: { type: 'segment' | undefined; text: string; tokens: Token[] }) => {
          stream.counted(chunk.tokens.length)
          if (chunk.type === 'segment') stream.reasoning(chunk.text)
          else stream.text(chunk.text)
        },
        contextShift: { lastEvaluationMetadata: window ? memory?.contextShiftMetadata : undefined },
        lastEvaluationContextWindow: { history: window, minimumOverlapPercentageToPreventContextShift: 0.5 },
      }
      const answer = (from: ChatHistoryItem[], tokens: number, again = false) =>
        chat.generateResponse(from, {
          ...common,
          // A second attempt continues a history the last turn's window never held; the sequence's cache still serves it.
          ...(again ? { contextShift: {}, lastEvaluationContextWindow: {} } : {}),
          maxTokens: tokens,
          grammar,
          ...(ban
            ? { tokenBias: withBannedTokens(loaded.model, options.tokenBias, ban.tokens), customStopTriggers: ban.stopTriggers }
            : {}),
        })
      let unused = 0
      let response: LlamaChatResponse<ChatModelFunctions> | LlamaChatResponse | null
      if (!tools) {
        response = await answer(history, maxTokens).catch(rethrow(loaded))
      } else {
        // node-llama-cpp cannot hold free text to a grammar while functions are callable: with a
        // response_format the model first has the tools alone, and the first word it writes instead of
        // a call ends that attempt; the answer is then generated again after its thoughts, held to the format.
        const declined = grammar ? new AbortController() : null
        const offered = await chat
          .generateResponse(history, {
            ...common,
            ...(declined
              ? {
                  signal: AbortSignal.any([options.signal, declined.signal]),
                  onResponseChunk: (chunk: { type: 'segment' | undefined; text: string; tokens: Token[] }) => {
                    stream.counted(chunk.tokens.length)
                    if (chunk.type === 'segment') return stream.reasoning(chunk.text)
                    unused += chunk.tokens.length
                    if (chunk.text.trim() !== '') declined.abort()
                  },
                }
              : {}),
            functions: tools.functions,
            documentFunctionParams: true,
            maxParallelFunctionCalls: tools.maxParallel,
            onFunctionCallParamsChunk: (chunk) => stream.toolCallChunk(chunk.callIndex, chunk.functionName, chunk.paramsChunk),
          })
          .catch((error: unknown) => {
            if (isLengthMismatch(error) && stream.callNames().length > 0) return null
            throw contextError(error, loaded) ?? error
          })
        const answered = offered === null || (offered.functionCalls?.length ?? 0) > 0
        if (!declined || answered || options.signal.aborted || offered.metadata.stopReason === 'maxTokens') {
          response = offered
          unused = 0
        } else {
          const thoughtTokens = stream.tokens - unused
          response = await answer(afterThoughts(history, offered.fullResponse), Math.max(1, maxTokens - thoughtTokens), true).catch(
            rethrow(loaded),
          )
        }
      }
      if (response === null) {
        // node-llama-cpp rejected a call its own grammar produced (see `isLengthMismatch`); the streamed
        // calls are complete and satisfy the schema as JSON Schema counts length.
        return {
          reason: 'tool-calls',
          calls: stream.callNames().map((name) => ({ name })),
          shifted: turns.length < request.turns.length,
          memory: null,
          promptTokens,
          unused,
        }
      }
      const next: ChatMemory = {
        kind: 'chat',
        cleanHistory: response.lastEvaluation.cleanHistory,
        contextWindow: response.lastEvaluation.contextWindow,
        contextShiftMetadata: response.lastEvaluation.contextShiftMetadata,
      }
      return {
        reason: finishReason(response.metadata.stopReason),
        calls: (response.functionCalls ?? []).map((call) => ({ name: call.functionName })),
        shifted: turns.length < request.turns.length || windowDropped(next),
        memory: next,
        promptTokens,
        unused,
      }
    } finally {
      chat.dispose({ disposeSequence: false })
    }
  }

  private async complete(
    loaded: Loaded,
    sequence: LlamaContextSequence,
    request: GenerateRequest,
    options: CommonOptions,
    stream: GenerationStream,
    conversation: { previous: TextMemory | null } | null,
  ): Promise<Turn> {
    const grammar = request.kind === 'chat' ? await this.grammarFor(request.responseFormat) : undefined
    if (request.kind === 'chat' && !conversation && request.contextTokens === undefined) {
      const promptTokens = loaded.model.tokenize(promptOf(request)).length
      if (promptTokens >= loaded.info.contextSize - 1) {
        throw new AppError(
          'BAD_REQUEST',
          `The request needs about ${promptTokens} tokens of context; the loaded model holds ${loaded.info.contextSize}.`,
        )
      }
    }
    const maxPromptTokens = request.kind === 'completion' ? request.maxPromptTokens : undefined
    const prompt = fitPrompt(loaded, promptOf(request), maxPromptTokens, options.maxTokens, conversation)
    const stopReason =
      grammar || this.completionLoop === 'library'
        ? await libraryCompletion(loaded, sequence, prompt.tokens, options, stream, grammar)
        : (
            await leanCompletion(sequence, prompt.tokens, {
              ...options,
              onToken: (tokens) => stream.counted(tokens.length),
              onText: (text) => stream.text(text),
              contextShiftSize: contextShiftSize(loaded),
            })
          ).stopReason
    return {
      reason: finishReason(stopReason),
      calls: [],
      shifted: prompt.cut > 0,
      memory: { kind: 'text', cut: prompt.cut },
      promptTokens: prompt.promptTokens,
      unused: 0,
    }
  }

  /** The grammar that makes the whole content one JSON value (a given schema's, or any object). */
  private async grammarFor(format: ResponseFormat | undefined): Promise<LlamaGrammar | undefined> {
    if (!format || format.type === 'text') return undefined
    if (format.type === 'json_object') return this.llama.getGrammarFor('json')
    const schema = toGrammarSchema(format.schema, 'The response_format schema')
    try {
      // The schema is built at run time; the method's generic parameters only serve literal schemas.
      return await this.llama.createGrammarForJsonSchema(schema as never)
    } catch (error) {
      throw new AppError('BAD_REQUEST', `The response_format schema is not supported: ${message(error)}`)
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
    await loaded.draft?.dispose()
    await loaded.context.dispose()
    await loaded.model.dispose()
  }

  private serialise<T>(task: () => Promise<T>): Promise<T> {
    const run = this.lifecycle.then(task, task)
    this.lifecycle = run.catch(() => undefined)
    return run
  }
}

/** A text completion through node-llama-cpp's LlamaCompletion; returns its stop reason. */
async function libraryCompletion(
  loaded: Loaded,
  sequence: LlamaContextSequence,
  tokens: Token[],
  options: CommonOptions,
  stream: GenerationStream,
  grammar: LlamaGrammar | undefined,
): Promise<string> {
  const completion = new LlamaCompletion({ contextSequence: sequence })
  try {
    const response = await completion.generateCompletionWithMeta(tokens, {
      ...options,
      grammar,
      onToken: (chunk: Token[]) => stream.counted(chunk.length),
      onTextChunk: (text: string) => stream.text(text),
      contextShiftSize: contextShiftSize(loaded),
    })
    return response.metadata.stopReason
  } finally {
    completion.dispose({ disposeSequence: false })
  }
}

/**
 * Drops the oldest turns after the system prompt until the history fits a conversation's own context
 * size next to the reply; the latest turn always stays. The loaded context's own limit is handled by
 * LlamaChat's context shift.
 */
function withinTokens(loaded: Loaded, turns: ChatRequest['turns'], limit: number | undefined, maxTokens: number): ChatRequest['turns'] {
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

/** How a request's tools are offered: which functions, whether a call is forced, how many calls at most. */
interface ToolPlan {
  /** Every function the client defined, as the template documents them. */
  all: ChatModelFunctions
  /** The functions the model may call now (only the named one when `tool_choice` names it). */
  functions: ChatModelFunctions
  forced: boolean
  maxParallel: number | undefined
}

/** Tools offered, or tool calls and results in the history. */
function usesTools(request: GenerateRequest): request is ChatRequest {
  return (
    request.kind === 'chat' &&
    ((request.tools?.length ?? 0) > 0 || request.turns.some((turn) => turn.role === 'tool' || (turn.toolCalls?.length ?? 0) > 0))
  )
}

function callsTools(request: ChatRequest): boolean {
  return (request.tools?.length ?? 0) > 0 && request.toolChoice !== 'none'
}

function toolPlan(request: ChatRequest): ToolPlan | null {
  if (!callsTools(request)) return null
  const all = toChatFunctions(request.tools ?? [])
  const choice = request.toolChoice ?? 'auto'
  if (typeof choice === 'object') {
    const named = all[choice.name]
    if (!named)
      throw new AppError('BAD_REQUEST', `tool_choice names the function ${JSON.stringify(choice.name)}, which is not among the tools.`)
    return { all, functions: { [choice.name]: named }, forced: true, maxParallel: 1 }
  }
  return { all, functions: all, forced: choice === 'required', maxParallel: request.parallelToolCalls === false ? 1 : undefined }
}

/** Prompt tokens of a history as the template renders it, with the functions it documents. */
function renderedTokens(
  loaded: Loaded,
  wrapper: ChatWrapper,
  history: ReturnType<typeof toChatHistory>,
  functions: ChatModelFunctions | undefined,
): number {
  return chatPromptTokens(loaded.model, wrapper, history, functions, true).length
}

/**
 * node-llama-cpp's check of a finished call's arguments against the schema: its grammar bounds a string's
 * `maxLength` in code points, as JSON Schema counts, and the check then counts UTF-16 units, so a string
 * with an emoji within the limit fails a call that the grammar allowed.
 */
function isLengthMismatch(error: unknown): boolean {
  return error instanceof Error && /^Expected at most \d+ characters but got \d+$/.test(error.message)
}

/** Rethrows a generation's failure, a "does not fit" one as the request's fault. */
function rethrow(loaded: Loaded): (error: unknown) => never {
  return (error) => {
    throw contextError(error, loaded) ?? error
  }
}

/** LlamaChat's "does not fit" failures are the request's fault. */
function contextError(error: unknown, loaded: Loaded): AppError | null {
  if (error instanceof Error && /context size is too small|too long|exceeds the context/i.test(error.message)) {
    return new AppError('BAD_REQUEST', `The request does not fit in the loaded context of ${loaded.info.contextSize} tokens.`)
  }
  return null
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
 * together with the tokens to generate. The tokens are the text's only: LlamaCompletion puts the model's
 * beginning token (BOS where the model wants one) in front of them, and `promptTokens` counts it. A
 * conversation's prompt is cut where it was cut last time when it still fits there (see `stableCut`), so
 * its cache stays usable.
 */
function fitPrompt(
  loaded: Loaded,
  prompt: string,
  maxPromptTokens: number | undefined,
  maxTokens: number,
  conversation: { previous: TextMemory | null } | null,
): { tokens: Token[]; cut: number; promptTokens: number } {
  const text = loaded.model.tokenize(prompt)
  const head = beginningToken(loaded.model) === null ? 0 : 1
  const { contextSize } = loaded.info
  const limit = Math.min(maxPromptTokens ?? Infinity, contextSize - maxTokens - 1, contextSize - contextShiftSize(loaded))
  const room = Math.max(1, limit - head)
  const cut = conversation ? stableCut(text.length, room, conversation.previous?.cut ?? null) : Math.max(0, text.length - room)
  const tokens = text.slice(cut)
  return { tokens, cut, promptTokens: head + tokens.length }
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
    // Off unless asked: node-llama-cpp's chat default (1.1) would bend exact answers (OpenAI has none).
    repeatPenalty:
      params.repeatPenalty !== undefined && params.repeatPenalty !== 1
        ? { penalty: params.repeatPenalty, lastTokens: params.repeatPenaltyRange ?? 64 }
        : (false as const),
  }
}

/** The generation's bias with these tokens set to never. */
function withBannedTokens(model: LlamaModel, bias: TokenBias | undefined, tokens: readonly Token[]): TokenBias | undefined {
  if (tokens.length === 0) return bias
  const banned = bias ?? new TokenBias(model.tokenizer)
  for (const token of tokens) banned.set(token, 'never')
  return banned
}

/** A calibration slot: greedy text that never ends early, so every count generates the same tokens. */
function calibrationRun(model: LlamaModel): SlotRun {
  const tokenBias = endOfGenerationBias(model)
  return async ({ sequence }, maxTokens, signal) => {
    const completion = new LlamaCompletion({ contextSequence: sequence })
    let tokens = 0
    try {
      await completion.generateCompletion('Once upon a time', {
        maxTokens,
        temperature: 0,
        tokenBias,
        signal,
        stopOnAbortSignal: true,
        onToken: (chunk) => (tokens += chunk.length),
      })
      return tokens
    } finally {
      completion.dispose({ disposeSequence: false })
    }
  }
}

function endOfGenerationBias(model: LlamaModel): TokenBias {
  const bias = new TokenBias(model.tokenizer)
  for (const token of [model.tokens.eos, model.tokens.eot]) if (token !== null) bias.set(token, 'never')
  return bias
}

function finishReason(stopReason: string): FinishReason {
  if (stopReason === 'maxTokens') return 'length'
  if (stopReason === 'functionCalls') return 'tool-calls'
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
