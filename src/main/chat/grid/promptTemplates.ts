import type { ChatTurn } from '../../../shared/generation.js'

/** The chat-template families a Horde model is likely trained on, told apart by its name. */
export type TemplateFamily = 'chatml' | 'llama3' | 'mistral' | 'gemma' | 'plain'

/** A conversation written out as one prompt, and the strings that end the model's turn. */
export interface FormattedPrompt {
  prompt: string
  stop: string[]
}

/**
 * Guesses the template from the model name (the AI Horde sends raw prompts, so the requester applies the
 * template). Unknown names get a plain "User:/Assistant:" transcript, which every model can continue.
 */
export function templateFamily(model: string): TemplateFamily {
  const name = model.toLowerCase()
  if (/llama[-_ .]?3/.test(name)) return 'llama3'
  if (/gemma/.test(name)) return 'gemma'
  if (/mistral|mixtral|nemo|ministral|magnum-v[12]/.test(name)) return 'mistral'
  if (/qwen|chatml|hermes|dolphin|\byi\b|yi-|openchat|phi-?3|phi-?4|intern/.test(name)) return 'chatml'
  return 'plain'
}

/** Writes the conversation in the family's template, ending where the assistant's next turn begins. */
export function formatPrompt(family: TemplateFamily, turns: readonly ChatTurn[]): FormattedPrompt {
  switch (family) {
    case 'chatml':
      return {
        prompt: turns.map((t) => `<|im_start|>${t.role}\n${t.content}<|im_end|>\n`).join('') + '<|im_start|>assistant\n',
        stop: ['<|im_end|>', '<|im_start|>'],
      }
    case 'llama3':
      return {
        prompt:
          '<|begin_of_text|>' +
          turns.map((t) => `<|start_header_id|>${t.role}<|end_header_id|>\n\n${t.content}<|eot_id|>`).join('') +
          '<|start_header_id|>assistant<|end_header_id|>\n\n',
        stop: ['<|eot_id|>', '<|start_header_id|>'],
      }
    case 'mistral':
      return { prompt: mistral(turns), stop: ['</s>', '[INST]'] }
    case 'gemma':
      // Gemma has no system role: the system prompt opens the first user turn.
      return {
        prompt:
          withSystemInFirstUser(turns)
            .map((t) => `<start_of_turn>${t.role === 'assistant' ? 'model' : 'user'}\n${t.content}<end_of_turn>\n`)
            .join('') + '<start_of_turn>model\n',
        stop: ['<end_of_turn>', '<start_of_turn>'],
      }
    case 'plain':
      return { prompt: plain(turns), stop: ['\nUser:', '\nSystem:'] }
  }
}

function mistral(turns: readonly ChatTurn[]): string {
  let prompt = '<s>'
  for (const turn of withSystemInFirstUser(turns)) {
    prompt += turn.role === 'assistant' ? ` ${turn.content}</s>` : `[INST] ${turn.content} [/INST]`
  }
  return prompt
}

function plain(turns: readonly ChatTurn[]): string {
  const names = { system: 'System', user: 'User', assistant: 'Assistant', tool: 'Tool' } as const
  return turns.map((t) => `${names[t.role]}: ${t.content}\n`).join('') + 'Assistant:'
}

function withSystemInFirstUser(turns: readonly ChatTurn[]): ChatTurn[] {
  const system = turns.filter((t) => t.role === 'system').map((t) => t.content)
  const rest = turns.filter((t) => t.role !== 'system')
  if (system.length === 0) return rest
  const firstUser = rest.findIndex((t) => t.role === 'user')
  if (firstUser < 0) return [{ role: 'user', content: system.join('\n\n') }, ...rest]
  return rest.map((t, i) => (i === firstUser ? { ...t, content: `${system.join('\n\n')}\n\n${t.content}` } : t))
}

/** Cuts the reply at the first stop string: the Horde keeps the matched stop string in the text. */
export function trimAtStop(text: string, stop: readonly string[]): string {
  let end = text.length
  for (const s of stop) {
    const at = text.indexOf(s)
    if (at >= 0 && at < end) end = at
  }
  return text.slice(0, end).trim()
}
