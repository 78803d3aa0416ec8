import { LlamaText, SpecialTokensText, type ChatWrapper, type LlamaModel, type LlamaTextValue } from 'node-llama-cpp'

/**
 * Markup a wrapper wrote as special-token text, split into the model's real special tokens and plain
 * text. Wrappers mark whole strings such as "<tools></tools>" or "\n<tool_response>\n" as special, and
 * node-llama-cpp tokenizes each such string on its own; a template's output is one string in which only
 * real special tokens split the text, so " <" or ">\n" merge across the markup's edges there.
 */
function splitMarkup(model: LlamaModel, text: string, cache: Map<string, LlamaTextValue[]>): LlamaTextValue[] {
  const known = cache.get(text)
  if (known) return known
  const values: LlamaTextValue[] = []
  let rest = text
  for (const token of model.tokenize(text, true)) {
    const attributes = model.getTokenAttributes(token)
    if (!attributes.control && !attributes.userDefined && !model.isEogToken(token)) continue
    const piece = model.detokenize([token], true)
    const at = piece === '' ? -1 : rest.indexOf(piece)
    // A token that does not map back onto the text: keep the wrapper's markup as it is.
    if (at < 0) return [new SpecialTokensText(text)]
    if (at > 0) values.push(rest.slice(0, at))
    values.push(new SpecialTokensText(piece))
    rest = rest.slice(at + piece.length)
  }
  if (rest) values.push(rest)
  cache.set(text, values)
  return values
}

/**
 * The wrapper with its prompt tokenized the way the model's template output is: plain text runs on
 * across the wrapper's markup and only real special tokens split it. Client text is never parsed for
 * special tokens; only the wrapper's own markup is.
 */
export function withTemplateTokenization(wrapper: ChatWrapper, model: LlamaModel): ChatWrapper {
  const cache = new Map<string, LlamaTextValue[]>()
  return new Proxy(wrapper, {
    get(target, property) {
      if (property === 'generateContextState') {
        return (options: Parameters<ChatWrapper['generateContextState']>[0]) => {
          const state = target.generateContextState(options)
          const values = state.contextText.values.flatMap((value) =>
            value instanceof SpecialTokensText ? splitMarkup(model, value.value, cache) : [value],
          )
          return { ...state, contextText: LlamaText(values) }
        }
      }
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}
