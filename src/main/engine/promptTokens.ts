import type { ChatHistoryItem, ChatModelFunctions, ChatWrapper, LlamaModel, Token } from 'node-llama-cpp'

/**
 * The token llama.cpp starts a prompt with for this model: its BOS where the model asks for one
 * (`add_bos_token`; Llama, Gemma), none where it does not (Qwen). LlamaCompletion prepends it itself.
 */
export function beginningToken(model: LlamaModel): Token | null {
  return model.tokens.shouldPrependBosToken ? model.tokens.bos : null
}

/**
 * What LlamaCompletion evaluates for prompt tokens handed to it: its beginning token, then the
 * tokens. Callers pass the prompt's text tokens only, never a BOS of their own.
 */
export function completionPromptTokens(model: LlamaModel, textTokens: readonly Token[]): Token[] {
  const head = beginningToken(model)
  return head === null ? [...textTokens] : [head, ...textTokens]
}

/**
 * What LlamaChat evaluates for a history that fits the context: the chat wrapper's rendering,
 * tokenized with special tokens as tokens (BOS only where the wrapper puts one).
 */
export function chatPromptTokens(
  model: LlamaModel,
  chatWrapper: ChatWrapper,
  chatHistory: ChatHistoryItem[],
  functions?: ChatModelFunctions,
  documentFunctionParams?: boolean,
): Token[] {
  const { contextText } = chatWrapper.generateContextState({ chatHistory, availableFunctions: functions, documentFunctionParams })
  return contextText.tokenize(model.tokenizer)
}
