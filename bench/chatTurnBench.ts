import { EngineSupervisor } from '../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../src/main/engine/forkLauncher.js'
import type { ChatTurn, GenerateResult } from '../src/shared/generation.js'
import { median, metric, type Metric } from './metrics.js'

/** The turn whose first token is timed; the conversation before it holds about 1,000 tokens. */
const TURN = 12
const ROUNDS = 5
const REPLY_TOKENS = 24

function userMessage(turn: number): string {
  return `Turn ${turn}. One day Lily went to the park with her mom and her little dog. They saw a big tree with a red bird in it, and the bird sang a happy song for them.`
}

/**
 * Time to first token of turn `TURN` of a long conversation on the local engine: with the
 * conversation's cache kept between turns (the chat's path), and evaluated afresh (what every turn
 * cost before, and still costs after an edit). Median of `ROUNDS` conversations.
 */
export async function chatTurnBench(engineEntry: string, model: string): Promise<Metric[]> {
  const engine = new EngineSupervisor({ launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }) })
  try {
    await engine.load(model)
    const reused: GenerateResult[] = []
    const fresh: GenerateResult[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const conversationId = `bench-${round}`
      const turns: ChatTurn[] = []
      const ask = (id?: string) =>
        engine.generate({ kind: 'chat', turns, params: { maxTokens: REPLY_TOKENS, temperature: 0 }, conversationId: id })
      for (let turn = 1; turn < TURN; turn++) {
        turns.push({ role: 'user', content: userMessage(turn) })
        turns.push({ role: 'assistant', content: (await ask(conversationId)).text })
      }
      turns.push({ role: 'user', content: userMessage(TURN) })
      fresh.push(await ask())
      reused.push(await ask(conversationId))
    }
    const firstToken = (results: GenerateResult[]) => median(results.map((r) => r.firstTokenMs ?? r.durationMs))
    const evaluated = (results: GenerateResult[]) => median(results.map((r) => r.promptTokensEvaluated ?? r.promptTokens))
    const note = `turn ${TURN}, ${median(fresh.map((r) => r.promptTokens))} prompt tokens, median of ${ROUNDS}`
    return [
      metric(`chat.local.turn${TURN}.first_token_ms.fresh`, firstToken(fresh), 'ms', undefined, note),
      metric(`chat.local.turn${TURN}.first_token_ms.cached`, firstToken(reused), 'ms', undefined, note),
      metric(`chat.local.turn${TURN}.prompt_tokens_evaluated.fresh`, evaluated(fresh), 'tokens'),
      metric(`chat.local.turn${TURN}.prompt_tokens_evaluated.cached`, evaluated(reused), 'tokens'),
      metric(`chat.local.turn${TURN}.cached_vs_fresh`, firstToken(reused) / firstToken(fresh), 'ratio', '< 0.5'),
    ]
  } finally {
    await engine.close()
  }
}
