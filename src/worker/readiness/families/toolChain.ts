import { scoreSingleCall } from '../answerText.js'
import { fail, userProbe, type Canary, type ChatBody, type ProbeAnswer } from '../canary.js'
import type { Random } from '../seededRandom.js'
import { forced, strictTool } from './toolCall.js'

/**
 * tool.chain: stage 1 forces `lookup_<hex>`; stage 2 sends the call and its result back as
 * [user, assistant{content: null, tool_calls}, tool{tool_call_id, content}] and forces `submit_<hex>`
 * with the looked-up value.
 */
export function toolChainCanary(random: Random): Canary {
  const suffix = random.hex(8)
  const lookup = `lookup_${suffix}`
  const submit = `submit_${suffix}`
  const key = `item-${random.hex(6)}`
  const value = random.hex(12)
  const tools = [
    strictTool(lookup, 'Looks up the value stored under a key.', { key: { type: 'string', description: 'The key to look up.' } }),
    strictTool(submit, 'Submits a value.', { value: { type: 'string', description: 'The value to submit.' } }),
  ]
  const question = `Use ${lookup} to look up the key "${key}", then call ${submit} with the value it returns.`
  const first = userProbe(question, { tools, tool_choice: forced(lookup) })
  return {
    family: 'tool.chain',
    body: first,
    followUp(answer: ProbeAnswer): ChatBody | null {
      if (!scoreSingleCall(answer, lookup, { key }, true).pass) return null
      const call = answer.tool_calls![0]!
      return {
        ...first,
        messages: [
          { role: 'user', content: question },
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', tool_call_id: call.id, content: JSON.stringify({ key, value }) },
        ],
        tool_choice: forced(submit),
      }
    },
    score([stage1, stage2]) {
      const firstScore = scoreSingleCall(stage1!, lookup, { key }, true)
      if (!firstScore.pass) return fail(`stage 1: ${firstScore.reason}`)
      if (!stage2) return fail('stage 2 was not run')
      const secondScore = scoreSingleCall(stage2, submit, { value }, true)
      return secondScore.pass ? secondScore : fail(`stage 2: ${secondScore.reason}`)
    },
  }
}
