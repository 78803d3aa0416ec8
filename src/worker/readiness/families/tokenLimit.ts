import { stripThink } from '../answerText.js'
import { fail, pass, userProbe, type Canary } from '../canary.js'
import type { Random } from '../seededRandom.js'

const WORDS = ['apple', 'river', 'stone', 'cloud', 'maple', 'ember', 'harbor', 'lantern'] as const

/**
 * token.limit: repeat a word until max_tokens (160–256) stops the model. The validators recount tokens with
 * tiktoken o200k; locally the engine's own count is what the worker reports as usage.
 */
export function tokenLimitCanary(random: Random): Canary {
  const word = random.pick(WORDS)
  const maxTokens = random.int(160, 256)
  return {
    family: 'token.limit',
    body: userProbe(`Repeat the word "${word}" separated by spaces, over and over, and never stop.`, { max_tokens: maxTokens }),
    score: ([answer]) => {
      if (answer!.finish_reason !== 'length') return fail(`finish_reason is ${answer!.finish_reason ?? 'missing'}, not length`)
      const pieces = stripThink(answer!.content).split(/\s+/).filter(Boolean)
      if (pieces.length < 2 || pieces.some((piece) => piece !== pieces[0])) return fail('the answer is not one word repeated')
      const min = Math.max(1, Math.floor(maxTokens / 2))
      const max = Math.floor((maxTokens * 5 + 3) / 4) + 8
      const tokens = answer!.completion_tokens
      return tokens >= min && tokens <= max ? pass : fail(`${tokens} tokens, outside ${min}–${max}`)
    },
  }
}
