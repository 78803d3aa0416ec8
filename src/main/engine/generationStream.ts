import { randomBytes } from 'node:crypto'
import type { ToolCall, ToolCallDelta } from '../../shared/generation.js'
import { StopMatcher } from './stopMatcher.js'

/** Where one generation's output goes as it streams. */
export interface StreamSink {
  text(text: string, tokens: number): void
  reasoning(text: string, tokens: number): void
  toolCall(delta: ToolCallDelta, tokens: number): void
}

/**
 * One generation's output as it streams: content through the stop matcher, reasoning, and tool calls,
 * each call with its own stable id. `stopped` aborts the generation once a stop string matched.
 */
export class GenerationStream {
  private readonly matcher: StopMatcher
  private content = ''
  private thinking = ''
  private readonly calls: Array<ToolCall & { index: number; held: string }> = []
  /** Tokens generated so far, for progress; the final count comes from the sequence. */
  tokens = 0
  firstTokenAt: number | null = null

  constructor(
    private readonly sink: StreamSink,
    stop: readonly string[] | undefined,
    keepStop: boolean,
    private readonly onStop: () => void,
  ) {
    this.matcher = new StopMatcher(stop, keepStop)
  }

  /** Whether a stop string ended the content. */
  get stopped(): boolean {
    return this.matcher.stop !== null
  }

  counted(tokens: number): void {
    this.firstTokenAt ??= performance.now()
    this.tokens += tokens
  }

  text(text: string): void {
    if (this.stopped) return
    const safe = this.matcher.push(text)
    if (safe) {
      this.content += safe
      this.sink.text(safe, this.tokens)
    }
    if (this.stopped) this.onStop()
  }

  reasoning(text: string): void {
    if (!text || this.stopped) return
    this.thinking += text
    this.sink.reasoning(text, this.tokens)
  }

  /**
   * A chunk of the arguments of call number `index` (node-llama-cpp's `callIndex`). The library's
   * parameter grammar ends the JSON with four newlines; raw newlines are only ever whitespace in JSON,
   * so trailing ones are held until more arguments follow and dropped at the end.
   */
  toolCallChunk(index: number, name: string, chunk: string): void {
    this.firstTokenAt ??= performance.now()
    let call = this.calls.find((candidate) => candidate.index === index)
    const isNew = !call
    call ??= this.addCall(index, name)
    const combined = call.held + chunk
    const trailing = /\n*$/.exec(combined)?.[0] ?? ''
    const argumentsText = combined.slice(0, combined.length - trailing.length)
    call.held = trailing
    if (!argumentsText && !isNew) return
    call.arguments += argumentsText
    this.sink.toolCall({ index, id: call.id, name, argumentsText }, this.tokens)
  }

  /** The names of the calls streamed so far, in order. */
  callNames(): string[] {
    return [...this.calls].sort((a, b) => a.index - b.index).map((call) => call.name)
  }

  private addCall(index: number, name: string) {
    const call = { index, id: `call_${randomBytes(12).toString('hex')}`, name, arguments: '', held: '' }
    this.calls.push(call)
    return call
  }

  /**
   * Ends the stream: releases held text no stop followed and completes the calls the library returned
   * (a call without parameters streams no chunk; its arguments are `{}`).
   */
  finish(returnedCalls: Array<{ name: string }>): { text: string; reasoning: string; toolCalls: ToolCall[] } {
    const rest = this.matcher.flush()
    if (rest) {
      this.content += rest
      this.sink.text(rest, this.tokens)
    }
    returnedCalls.forEach((call, index) => {
      const streamed = this.calls.find((candidate) => candidate.index === index)
      if (!streamed) this.toolCallChunk(index, call.name, '{}')
      else if (streamed.arguments.trim() === '') this.toolCallChunk(index, call.name, '{}')
    })
    return {
      text: this.content,
      reasoning: this.thinking,
      toolCalls: this.calls.slice(0, returnedCalls.length).map((call) => ({ id: call.id, name: call.name, arguments: call.arguments })),
    }
  }
}
