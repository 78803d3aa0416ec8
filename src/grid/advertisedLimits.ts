/** The longest reply and context a worker advertises. */
export interface AdvertisedLimits {
  maxLength: number
  maxContextLength: number
}

/** The shortest reply worth advertising, and the room a prompt always keeps. */
const MIN_REPLY_TOKENS = 16

/**
 * What a worker may advertise for the loaded model: never more context than it holds (over-advertising
 * invites jobs and validator probes it then fails, §16.4), and replies that leave room for a prompt.
 */
export function advertisedLimits(asked: AdvertisedLimits, modelContextSize: number): AdvertisedLimits {
  const maxContextLength = Math.min(asked.maxContextLength, modelContextSize)
  return { maxContextLength, maxLength: Math.min(asked.maxLength, Math.max(MIN_REPLY_TOKENS, maxContextLength - MIN_REPLY_TOKENS)) }
}
