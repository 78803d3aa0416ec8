import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp'
import { EngineSupervisor } from '../../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import { engineEntry, requireBuild } from './paths.js'

/**
 * The app's engine in its own process and node-llama-cpp in this one, both on the CPU, so that a test can compare what the
 * engine does with what llama.cpp does on the same model; close the engine when done.
 */
export async function engineBesideLlama(): Promise<{ engine: EngineSupervisor; llama: Llama }> {
  requireBuild()
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, maxThreads: 1 })
  const engine = new EngineSupervisor({ launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }) })
  await engine.start()
  return { engine, llama }
}
