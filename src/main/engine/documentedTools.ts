import { JinjaTemplateChatWrapper, type ChatModelFunctions, type ChatWrapper, type GbnfJsonSchema } from 'node-llama-cpp'
import type { ToolDefinition } from '../../shared/generation.js'

/** The client's tools as the model's template documents them: each function's parameters exactly as sent. */
function documentedFunctions(tools: ToolDefinition[]): ChatModelFunctions {
  const functions: Record<string, ChatModelFunctions[string]> = {}
  for (const tool of tools) {
    functions[tool.name] = {
      ...(tool.description ? { description: tool.description } : {}),
      // Only ever printed as JSON (see `documentsSchemasAsJson`), never turned into a grammar.
      ...(tool.parameters !== undefined ? { params: tool.parameters as GbnfJsonSchema } : {}),
    }
  }
  return functions
}

const probeFunctions: ChatModelFunctions = { probe: { params: { type: 'object', properties: { q: { type: 'string' } } } } }

/**
 * Whether the wrapper prints each function's JSON schema as JSON (Qwen's `<tools>`, the Jinja wrapper's
 * `tools`), as templates do; wrappers that write TypeScript signatures understand only the grammar subset.
 */
function documentsSchemasAsJson(wrapper: ChatWrapper): boolean {
  if (wrapper instanceof JinjaTemplateChatWrapper) return true
  try {
    return wrapper.generateAvailableFunctionsSystemText(probeFunctions, { documentParams: true }).toString().includes('"properties"')
  } catch {
    return false
  }
}

/**
 * The wrapper documenting the client's own tool schemas to the model wherever it prints schemas as
 * JSON, while node-llama-cpp builds the call grammars from the functions it is given (the grammar
 * versions from `toChatFunctions`, which drop `required` and add `additionalProperties`). Every tool is
 * documented, also when `tool_choice` lets the model call only one, the way the template lists them all.
 * `listed` (the grammar versions) are documented also where the generation is given no functions: with
 * `tool_choice: "none"` and for an answer held to `response_format` the tools are known but not callable,
 * and the template lists them all the same.
 */
export function withDocumentedTools(wrapper: ChatWrapper, tools: ToolDefinition[], listed?: ChatModelFunctions): ChatWrapper {
  if (tools.length === 0) return wrapper
  const documented = documentsSchemasAsJson(wrapper) ? documentedFunctions(tools) : null
  if (!documented && !listed) return wrapper
  return new Proxy(wrapper, {
    get(target, property) {
      if (property === 'generateContextState') {
        return (options: Parameters<ChatWrapper['generateContextState']>[0]) => {
          const callable = Object.keys(options.availableFunctions ?? {}).length > 0
          if (callable) return target.generateContextState(documented ? { ...options, availableFunctions: documented } : options)
          if (!listed) return target.generateContextState(options)
          return target.generateContextState({ ...options, availableFunctions: documented ?? listed, documentFunctionParams: true })
        }
      }
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}
