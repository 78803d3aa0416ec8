import { scoreSingleCall } from '../answerText.js'
import { userProbe, type Canary, type ChatTool } from '../canary.js'
import type { Random } from '../seededRandom.js'

/** A strict function tool whose every property is required and nothing else is allowed. */
export function strictTool(name: string, description: string, properties: Record<string, { type: string; description: string }>): ChatTool {
  return {
    type: 'function',
    function: {
      name,
      description,
      parameters: { type: 'object', properties, required: Object.keys(properties), additionalProperties: false },
      strict: true,
    },
  }
}

/** Forces one named function (OpenAI's object form of `tool_choice`). */
export const forced = (name: string) => ({ type: 'function' as const, function: { name } })

/** tool.call: call `record_<hex>` exactly once with given arguments; `tool_choice` forces it. */
export function toolCallCanary(random: Random): Canary {
  const name = `record_${random.hex(8)}`
  const args = { code: random.hex(10), count: random.int(2, 999) }
  const tool = strictTool(name, 'Records a code and a count.', {
    code: { type: 'string', description: 'The code to record.' },
    count: { type: 'integer', description: 'How many.' },
  })
  return {
    family: 'tool.call',
    body: userProbe(`Call ${name} with code "${args.code}" and count ${args.count}.`, { tools: [tool], tool_choice: forced(name) }),
    score: ([answer]) => scoreSingleCall(answer!, name, args),
  }
}
