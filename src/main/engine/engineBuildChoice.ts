import type { BuildManifest, EngineChoice } from './engineBuildFiles.js'

/** What this engine start loads. `strict`: a verification run, where a failing build must fail the start. */
export type EngineBuildDecision = { use: 'optimized'; dir: string; strict: boolean } | { use: 'standard'; note: string | null }

/** Everything the decision looks at, read by the engine process at its start. */
export interface EngineBuildFacts {
  /** `GRIDFORGE_ENGINE_BUILD`: a build to load and nothing else (the verification's engine). */
  forcedDir: string | null
  choice: EngineChoice | null
  /** The optimized build's folder, and its manifest (null: missing or unreadable). */
  optimizedDir: string
  manifest: BuildManifest | null
  /** The previous start left its loading marker: loading the optimized build crashed the process. */
  crashedLastTime: boolean
  current: { nodeLlamaCpp: string; platform: string; arch: string }
}

const standardAgain = 'using the standard engine until it is optimized again in Settings'

/**
 * Chooses the binaries for this engine start. The standard engine is the answer whenever anything about the
 * optimized one is in doubt, each time with the sentence that says why.
 */
export function decideEngineBuild(facts: EngineBuildFacts): EngineBuildDecision {
  if (facts.forcedDir) return { use: 'optimized', dir: facts.forcedDir, strict: true }
  if (facts.choice?.flavor !== 'optimized') return { use: 'standard', note: null }
  const { manifest, current } = facts
  if (!manifest) return { use: 'standard', note: `The optimized engine is missing or damaged; ${standardAgain}.` }
  if (manifest.nodeLlamaCpp !== current.nodeLlamaCpp) {
    return {
      use: 'standard',
      note: `The optimized engine was built for node-llama-cpp ${manifest.nodeLlamaCpp} and this GridForge has ${current.nodeLlamaCpp}; ${standardAgain}.`,
    }
  }
  if (manifest.platform !== current.platform || manifest.arch !== current.arch) {
    return {
      use: 'standard',
      note: `The optimized engine was built for ${manifest.platform}-${manifest.arch}, not this ${current.platform}-${current.arch}; ${standardAgain}.`,
    }
  }
  if (facts.crashedLastTime) {
    return { use: 'standard', note: `The optimized engine crashed the engine while loading; ${standardAgain}.` }
  }
  return { use: 'optimized', dir: facts.optimizedDir, strict: false }
}

/** The sentence for an optimized build that threw while loading (the process survived). */
export function loadFailedNote(error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error)
  return `The optimized engine failed to load (${reason.split('\n')[0]}); ${standardAgain}.`
}
