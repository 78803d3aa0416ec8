import type { ChatTurn } from '../../../shared/generation.js'

/**
 * The system prompt and as many of the latest turns as fit in `maxChars`: a grid worker only sees a few
 * thousand tokens of context, so sending a long conversation whole would only cost time and bandwidth.
 * The newest turn is always kept, even when it alone is longer.
 */
export function recentTurns(turns: readonly ChatTurn[], maxChars: number): ChatTurn[] {
  const system = turns.filter((turn) => turn.role === 'system')
  let budget = maxChars - system.reduce((sum, turn) => sum + turn.content.length, 0)
  const kept: ChatTurn[] = []
  for (let index = turns.length - 1; index >= 0; index--) {
    const turn = turns[index]!
    if (turn.role === 'system') continue
    if (kept.length > 0 && turn.content.length > budget) break
    kept.unshift(turn)
    budget -= turn.content.length
  }
  return [...system, ...kept]
}
