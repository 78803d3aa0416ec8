import type { ChatWrapper } from 'node-llama-cpp'

/**
 * The chat wrapper with the model's response starting inside a function call, so that node-llama-cpp's
 * function-name and parameter grammars make it call one of the given functions before anything else
 * (OpenAI's `tool_choice: "required"` or a named function). This is the library's own "initially
 * engaged" function mode (Functionary's), switched on for any template.
 */
export function withForcedCall(wrapper: ChatWrapper): ChatWrapper {
  return new Proxy(wrapper, {
    get(target, property) {
      if (property === 'generateContextState') {
        return (options: Parameters<ChatWrapper['generateContextState']>[0]) => ({
          ...target.generateContextState(options),
          functionCall: { initiallyEngaged: true, disengageInitiallyEngaged: [] },
        })
      }
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}
