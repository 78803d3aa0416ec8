import type { ReplyStats } from '../../../../shared/domain'

const ENDINGS: Record<ReplyStats['finishReason'], string> = {
  stop: 'finished',
  length: 'hit the length limit',
  'tool-calls': 'called a tool',
  abort: 'stopped',
}

/** The line under a finished reply: "12.3 tokens/s · 96 tokens · hit the length limit"; counts only where known. */
export function replyStatsText(stats: ReplyStats): string {
  const parts: string[] = []
  if (stats.tokens > 0 && stats.durationMs > 0) parts.push(`${((stats.tokens * 1000) / stats.durationMs).toFixed(1)} tokens/s`)
  if (stats.tokens > 0) parts.push(`${stats.tokens} token${stats.tokens === 1 ? '' : 's'}`)
  parts.push(ENDINGS[stats.finishReason])
  return parts.join(' · ')
}
