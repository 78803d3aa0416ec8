import { ChatWrapper, LlamaText, type LlamaModel } from 'node-llama-cpp'
import type { HistoryOptions, TrimmedRole } from './chatHistory.js'

/** `message['content'] | trim`, `message.content|trim`: the template trims each message it loops over. */
const TRIMS_CONTENT = /content'?\]?\s*\|\s*trim\b/

/** The system prompt taken out of the loop and printed untrimmed (Gemma 3 joins it to the first user turn). */
const SYSTEM_APART = /messages\[0\](?:\['content'\]|\.content)(?!\s*\|\s*trim)/

/**
 * The roles whose content the model's own template trims (Llama 3's and Gemma 3's `| trim`). Read from
 * the template text: node-llama-cpp's Jinja wrapper renders placeholders and puts the content in after,
 * so rendering a probe would never show a trim.
 */
function trimmedRoles(template: string): ReadonlySet<TrimmedRole> {
  if (!TRIMS_CONTENT.test(template)) return new Set()
  return new Set<TrimmedRole>(SYSTEM_APART.test(template) ? ['user', 'assistant'] : ['system', 'user', 'assistant'])
}

/**
 * What the template writes right after a closed thought: Qwen3 puts "\n\n" between `</think>` and the
 * content or tool call, which the model writes itself when it generates but a client's history lacks.
 */
function afterThought(template: string): string {
  const match = /<\/think>((?:\\n)+)/.exec(template)
  return match?.[1] ? '\n'.repeat(match[1].length / 2) : ''
}

/**
 * How a conversation must be shaped for `wrapper` to render it token for token like the model's own
 * template, beyond what node-llama-cpp's wrapper does by itself: content the template trims, the text
 * after a thought, and tool calls and results kept exactly as the client sent them (the wrappers
 * re-serialise parsed JSON, templates print the client's strings).
 */
export function historyOptionsFor(model: LlamaModel, wrapper: ChatWrapper): HistoryOptions {
  const template = model.fileInfo.metadata.tokenizer.chat_template
  const source = typeof template === 'string' ? template : ''
  const thought = wrapper.settings.segments?.thought
  const after = afterThought(source)
  const options: HistoryOptions = {
    thoughts: thought != null,
    trim: trimmedRoles(source),
    rawToolResults: rendersStringResultsFlat(wrapper),
  }
  if (thought && after && (typeof thought.prefix === 'string' || thought.prefix instanceof LlamaText)) {
    const { prefix, suffix } = thought
    options.thoughtRaw = (text) => LlamaText([prefix, text, suffix ?? '', after]).toJSON()
  }
  // A wrapper with its own call rendering (the Jinja wrapper, Functionary) is left to render calls itself.
  if (definedBy(wrapper, 'generateFunctionCall') === ChatWrapper.prototype) {
    const { prefix, paramsPrefix, suffix } = wrapper.settings.functions.call
    const named = (text: typeof prefix, name: string) =>
      LlamaText(text).mapValues((value) => (typeof value === 'string' ? value.replaceAll('{{functionName}}', name) : value))
    options.rawCall = (name, argumentsText) =>
      LlamaText([prefix, name, named(paramsPrefix, name), argumentsText, named(suffix, name)]).toJSON()
  }
  return options
}

/** Whether the wrapper prints a string result as it is (the library's flat-result mode), rather than as a JSON string. */
function rendersStringResultsFlat(wrapper: ChatWrapper): boolean {
  const rendered = wrapper.generateFunctionCallResult('probe', undefined, 'gridforge "result"').toString()
  return rendered.includes('gridforge "result"')
}

/** The prototype that defines a wrapper's method (through the engine's proxies, which keep the prototype). */
function definedBy(wrapper: ChatWrapper, method: keyof ChatWrapper): object | null {
  for (
    let prototype: object | null = Object.getPrototypeOf(wrapper) as object | null;
    prototype;
    prototype = Object.getPrototypeOf(prototype) as object | null
  ) {
    if (Object.prototype.hasOwnProperty.call(prototype, method)) return prototype
  }
  return null
}
