/** Which llama.cpp binaries the engine loads: the prebuilt ones node-llama-cpp ships, or one built on this PC. */
export type EngineFlavor = 'standard' | 'optimized'

/** The steps of "Optimize the engine for this PC", in order. */
export type EngineBuildStep = 'checking' | 'preparing' | 'configuring' | 'compiling' | 'verifying'

/** Settings › Engine: which engine is chosen and running, and the optimization in progress or its outcome. */
export interface EngineBuildStatus {
  /** What the next engine start loads. */
  chosen: EngineFlavor
  /** What the running engine loaded; `note` says in one sentence why it is not the chosen one. Null before the engine has started. */
  running: { flavor: EngineFlavor; note: string | null } | null
  /** The verified build on this PC, if there is one. */
  build: { builtAt: string; buildSeconds: number; options: string[]; verifiedWith: string | null } | null
  /** The optimization under way: its step and the compile's fraction done (null where unknown). */
  task: { step: EngineBuildStep; progress: number | null } | null
  /** The last optimization's outcome, one sentence. */
  outcome: { ok: boolean; message: string } | null
  /** Why optimizing is not offered here (another platform, a GPU engine), or null. */
  unavailable: string | null
}
