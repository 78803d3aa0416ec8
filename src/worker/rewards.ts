import { z } from 'zod'

/**
 * No job earns anything near this (den and kudos per job are in the tens to thousands): a larger value is
 * a broken or hostile grid, and summing it would show "Infinity" or swamp the totals.
 */
export const MAX_JOB_REWARD = 10_000_000

/** A reward the grid reports for one job: finite, never negative, within `MAX_JOB_REWARD`. */
export const jobRewardSchema = z.number().finite().min(0).max(MAX_JOB_REWARD)
