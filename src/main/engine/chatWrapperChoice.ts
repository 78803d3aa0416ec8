import {
  JinjaTemplateChatWrapper,
  QwenChatWrapper,
  resolveChatWrapper,
  type ChatHistoryItem,
  type ChatWrapper,
  type LlamaModel,
} from 'node-llama-cpp'
import { withTemplateTokenization } from './templateTokenization.js'

/** A conversation with everything a template treats specially: a system prompt, earlier turns, a new question. */
const PROBE_QUESTION = 'And the next one?'
const probe: ChatHistoryItem[] = [
  { type: 'system', text: 'Answer briefly.' },
  { type: 'user', text: 'What comes after one?' },
  { type: 'model', response: ['Two.'] },
  { type: 'user', text: PROBE_QUESTION },
  { type: 'model', response: [] },
]

/** The rendering as the model reads it (special tokens included), up to the end of the last user message. */
function renderedHistory(wrapper: ChatWrapper, model: LlamaModel): string | null {
  try {
    const text = model.detokenize(wrapper.generateContextState({ chatHistory: probe }).contextText.tokenize(model.tokenizer), true)
    const end = text.lastIndexOf(PROBE_QUESTION)
    return end < 0 ? null : text.slice(0, end + PROBE_QUESTION.length)
  } catch {
    return null
  }
}

/**
 * The chat wrapper the engine renders conversations with: node-llama-cpp's choice for the model (its
 * specialized wrapper, with native function calling and thought segments), unless that wrapper renders
 * the conversation differently from the model's own template, as GemmaChatWrapper does with a system
 * prompt ("\n\n---\n\n" where Gemma 3's template puts "\n\n"); then the template itself, through
 * JinjaTemplateChatWrapper. Only the history is compared, up to the last user message: how the Jinja
 * wrapper opens the reply of a thinking template (Qwen3) is its own and not the template's.
 */
export function chatWrapperFor(model: LlamaModel): ChatWrapper {
  let wrapper = chosen.get(model)
  if (!wrapper) {
    wrapper = withTemplateTokenization(choose(model), model)
    chosen.set(model, wrapper)
  }
  return wrapper
}

/** Each model's wrapper: choosing renders probes through two wrappers, too slow to repeat for every request. */
const chosen = new WeakMap<LlamaModel, ChatWrapper>()

/**
 * Qwen's templates print a tool message's content as it is; QwenChatWrapper prints a string result as a
 * JSON string unless its flat-result mode (one of the configurations node-llama-cpp itself matches
 * against Jinja templates, not part of its typed options) is on.
 */
function withFlatResults(wrapper: QwenChatWrapper): QwenChatWrapper {
  const internal = wrapper as unknown as { _ensureModelThoughtBeforeTextOnLastResponse?: boolean }
  const options = {
    _ensureModelThoughtBeforeTextOnLastResponse: internal._ensureModelThoughtBeforeTextOnLastResponse === true,
    keepOnlyLastThought: wrapper.keepOnlyLastThought,
    thoughts: wrapper.thoughts,
    variation: wrapper.variation,
    _lineBreakBeforeFunctionCallPrefix:
      wrapper.variation === '3'
        ? wrapper.settings.functions.parallelism?.call.betweenCalls === ''
        : wrapper.settings.functions.parallelism?.call.sectionPrefix === '\n\n',
    _flatFunctionResultString: true,
  }
  return new QwenChatWrapper(options as ConstructorParameters<typeof QwenChatWrapper>[0])
}

function choose(model: LlamaModel): ChatWrapper {
  const picked = resolveChatWrapper(model)
  const resolved = picked instanceof QwenChatWrapper ? withFlatResults(picked) : picked
  const template = model.fileInfo.metadata.tokenizer.chat_template
  if (resolved instanceof JinjaTemplateChatWrapper || typeof template !== 'string') return resolved
  let jinja: JinjaTemplateChatWrapper
  try {
    jinja = new JinjaTemplateChatWrapper({ template, tokenizer: model.tokenizer })
  } catch {
    return resolved
  }
  const expected = renderedHistory(jinja, model)
  return expected !== null && renderedHistory(resolved, model) !== expected ? jinja : resolved
}
