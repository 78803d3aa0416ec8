import type { ReadinessFamily } from '../../shared/readiness.js'
import type { Canary } from './canary.js'
import { codeFunctionCanary } from './families/codeFunction.js'
import { CONTEXT_TIERS, contextRetrieveCanary } from './families/contextRetrieve.js'
import { echoCanary } from './families/echo.js'
import { jsonObjectCanary } from './families/jsonObject.js'
import { logicStepsCanary } from './families/logicSteps.js'
import { mathAddCanary, mathMulCanary } from './families/math.js'
import { stopSequenceCanary } from './families/stopSequence.js'
import { tokenLimitCanary } from './families/tokenLimit.js'
import { toolCallCanary } from './families/toolCall.js'
import { toolChainCanary } from './families/toolChain.js'
import { seededRandom } from './seededRandom.js'

/** A family's probe for this run, or why the grid would not send it to this worker. */
export type PlannedProbe = { family: ReadinessFamily; canary: Canary } | { family: ReadinessFamily; skipped: string }

const BUILDERS = [
  echoCanary,
  mathAddCanary,
  mathMulCanary,
  jsonObjectCanary,
  logicStepsCanary,
  codeFunctionCanary,
  toolCallCanary,
  toolChainCanary,
  stopSequenceCanary,
  tokenLimitCanary,
]

/**
 * Every family's probe for one run: the same seed gives the same probes. Context probes are planned only
 * where the validators send them (an advertised context of at least 8,192 / 32,768 / 65,536 tokens).
 */
export function planProbes(seed: number, maxContextLength: number): PlannedProbe[] {
  // One stream per family, so a family's probe does not change when another family's generator does.
  const random = (index: number) => seededRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0)
  const planned: PlannedProbe[] = BUILDERS.map((build, index) => {
    const canary = build(random(index))
    return { family: canary.family, canary }
  })
  CONTEXT_TIERS.forEach((tier, index) => {
    planned.push(
      maxContextLength >= tier.minAdvertised
        ? { family: tier.family, canary: contextRetrieveCanary(random(BUILDERS.length + index), tier) }
        : {
            family: tier.family,
            skipped: `sent only to workers advertising a context of ${tier.minAdvertised.toLocaleString('en-US')} or more`,
          },
    )
  })
  return planned
}
