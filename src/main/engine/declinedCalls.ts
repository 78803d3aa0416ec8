import { LlamaText, SpecialToken, SpecialTokensText, type ChatWrapper, type LlamaModel, type Token } from 'node-llama-cpp'

/** What keeps a reply from calling a tool the prompt lists. */
export interface CallBan {
  /** Special tokens that open the wrapper's call syntax (Qwen's `<tool_call>`): never sampled. */
  tokens: Token[]
  /** The call syntax as a whole: where the model starts it in plain text, the reply ends there. */
  stopTriggers: LlamaText[]
}

/**
 * OpenAI's `tool_choice: "none"` and a reply that declined to call: the template lists the tools, and
 * the model may still try to write a call. Without functions node-llama-cpp would pass that call syntax
 * on as content; a special token opening it is banned instead, so the model writes text, and a call
 * syntax made of ordinary text (Llama 3's `||call: `) ends the reply before any of it is emitted.
 */
export function callBan(model: LlamaModel, wrapper: ChatWrapper): CallBan {
  const { call, parallelism } = wrapper.settings.functions
  const sections = [parallelism?.call.sectionPrefix ?? '', ...(parallelism?.call.sectionPrefixAlternateMatches ?? [])]
  const prefixes = [call.prefix, ...(call.prefixAlternateMatches ?? [])]
  const stopTriggers = sections.flatMap((section) => prefixes.map((prefix) => LlamaText([section, prefix])))
  const tokens = new Set<Token>()
  for (const trigger of stopTriggers) {
    const opening = trigger.values.find((value) => value !== '')
    const first = opening instanceof SpecialTokensText || opening instanceof SpecialToken ? opening.tokenize(model.tokenizer)[0] : undefined
    // Only a token that is not ordinary text (a control or added token) is banned: "\n" or "{" never are.
    if (first !== undefined && !model.getTokenAttributes(first).normal && !model.getTokenAttributes(first).byte) tokens.add(first)
  }
  return { tokens: [...tokens], stopTriggers }
}
