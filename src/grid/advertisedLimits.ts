/** The longest reply and context a worker advertises. */
export interface AdvertisedLimits {
  maxLength: number
  maxContextLength: number
}

/** The shortest reply worth advertising, and the room a prompt always keeps. */
const MIN_REPLY_TOKENS = 16
/** The reply length advertised when none is asked for. */
const DEFAULT_MAX_LENGTH = 512

/**
 * What a worker may advertise for the loaded model: never more context than it holds (over-advertising
 * invites jobs and validator probes it then fails, §16.4), and replies that leave room for a prompt.
 */
export function advertisedLimits(
  asked: { maxLength?: number | null; maxContextLength?: number | null },
  modelContextSize: number,
): AdvertisedLimits {
  const maxContextLength = Math.min(asked.maxContextLength ?? modelContextSize, modelContextSize)
  const maxLength = asked.maxLength ?? DEFAULT_MAX_LENGTH
  return { maxContextLength, maxLength: Math.min(maxLength, Math.max(MIN_REPLY_TOKENS, maxContextLength - MIN_REPLY_TOKENS)) }
}
