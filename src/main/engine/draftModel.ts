import { basename } from 'node:path'
import { freemem } from 'node:os'
import {
  DraftSequenceTokenPredictor,
  GgufInsights,
  readGgufFileInfo,
  type GgufFileInfo,
  type Llama,
  type LlamaContext,
  type LlamaModel,
} from 'node-llama-cpp'
import { tokenizerMismatch } from './tokenizerMatch.js'

/** What the loaded target model is, for a draft to match. */
export interface DraftTarget {
  fileName: string
  fileInfo: GgufFileInfo
  /** The draft's context holds as many tokens, so it sees the whole conversation the target sees. */
  contextSize: number
  /** Layers of the target on the GPU: the draft goes where the target went. */
  gpuLayers: number
  /** The target's threads. The two take turns, so the draft gets as many; left to its default it got more than the cores. */
  threads: number
}

/** A draft model ready to draft, or the one sentence that says why it is not used. */
export type DraftOpening = { draft: DraftModel; refused: null } | { draft: null; refused: string }

/** Memory the draft may take: at most this share of what is free once the target is loaded. */
const MEMORY_SHARE = 0.5

/**
 * A smaller model of the target's family, loaded beside it in the engine process with its own context
 * of one sequence. One chat at a time drafts with it (node-llama-cpp's `DraftSequenceTokenPredictor`,
 * which keeps the draft sequence in step with the target's tokens); the others use prompt lookup.
 */
export class DraftModel {
  private busy = false

  private constructor(
    readonly fileName: string,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly predictor: DraftSequenceTokenPredictor,
  ) {}

  /**
   * Loads `path` as a draft for `target`, or says why not: another tokenizer (a draft's tokens are
   * verified by id), not enough free memory, or a file that does not load. Never throws.
   */
  static async open(llama: Llama, path: string, target: DraftTarget, free: () => number = freemem): Promise<DraftOpening> {
    const name = basename(path)
    const refuse = (why: string): DraftOpening => ({ draft: null, refused: `${name} cannot draft for ${target.fileName}: ${why}.` })
    let fileInfo: GgufFileInfo
    try {
      fileInfo = await readGgufFileInfo(path)
    } catch {
      return refuse('it is not a readable GGUF model file')
    }
    const mismatch = tokenizerMismatch(target.fileInfo, fileInfo)
    if (mismatch) return refuse(`their tokenizers differ (${mismatch})`)
    const insights = await GgufInsights.from(fileInfo, llama)
    const gpuLayers = target.gpuLayers > 0 ? insights.totalLayers : 0
    const needs =
      insights.estimateModelResourceRequirements({ gpuLayers }).cpuRam +
      insights.estimateContextResourceRequirements({ contextSize: target.contextSize, modelGpuLayers: gpuLayers, sequences: 1 }).cpuRam
    if (needs > free() * MEMORY_SHARE)
      return refuse(`it needs about ${mib(needs)} MiB and only ${mib(free())} MiB of memory is free, so chat runs without it`)
    let model: LlamaModel | null = null
    try {
      model = await llama.loadModel({ modelPath: path, gpuLayers })
      const context = await model.createContext({ contextSize: target.contextSize, sequences: 1, threads: target.threads })
      // Drafts of more than one token are wasted in node-llama-cpp 3.22 (see PromptLookup), so the draft
      // model drafts one token at a time, and the target waits for it rather than letting a step pass:
      // the two then take turns instead of competing for the cores (measured on the story model drafting
      // itself on a busy 2-core machine: 60 tokens in 0.1 s; with the draft's default threads, 5 to 20 s).
      const predictor = new DraftSequenceTokenPredictor(context.getSequence(), { minTokens: 1, maxTokens: 1 })
      return { draft: new DraftModel(name, model, context, predictor), refused: null }
    } catch (error) {
      await model?.dispose()
      return refuse(`it did not load (${error instanceof Error ? error.message : String(error)})`)
    }
  }

  /** The draft predictor for one generation, or null while another generation drafts with it. */
  take(): { predictor: DraftSequenceTokenPredictor; release(): void } | null {
    if (this.busy) return null
    this.busy = true
    let released = false
    return {
      predictor: this.predictor,
      release: () => {
        if (released) return
        released = true
        this.predictor.stop()
        this.busy = false
      },
    }
  }

  async dispose(): Promise<void> {
    this.predictor.dispose()
    await this.context.dispose()
    await this.model.dispose()
  }
}

function mib(bytes: number): number {
  return Math.round(bytes / 1024 ** 2)
}
