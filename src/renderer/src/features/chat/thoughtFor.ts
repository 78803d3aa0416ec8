/**
 * The fold's title above a reply's thinking: "Thinking…" while it streams, "Thought for 4 s" once the
 * model has answered, plain "Thoughts" when the time is not known (an imported reply).
 */
export function thoughtFor(reasoningMs: number | undefined, thinking: boolean): string {
  if (thinking) return 'Thinking…'
  if (reasoningMs === undefined) return 'Thoughts'
  const seconds = Math.max(1, Math.round(reasoningMs / 1000))
  if (seconds < 60) return `Thought for ${seconds} s`
  const minutes = Math.floor(seconds / 60)
  const rest = seconds % 60
  return rest ? `Thought for ${minutes} min ${rest} s` : `Thought for ${minutes} min`
}
