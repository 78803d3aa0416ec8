import { describe, expect, it } from 'vitest'
import { safeUrl } from '../../src/renderer/src/features/chat/markdownSafety.js'
import { splitSettled } from '../../src/renderer/src/features/chat/settledMarkdown.js'
import { thoughtFor } from '../../src/renderer/src/features/chat/thoughtFor.js'
import { formatPrompt, templateFamily, trimAtStop } from '../../src/main/chat/grid/promptTemplates.js'
import { recentTurns } from '../../src/main/chat/grid/recentTurns.js'
import type { ChatTurn } from '../../src/shared/generation.js'

describe('links in replies', () => {
  it('keeps web and mail links and drops anything that could run code or move the app', () => {
    expect(safeUrl('https://example.com/a?b=1')).toBe('https://example.com/a?b=1')
    expect(safeUrl('http://example.com')).toBe('http://example.com/')
    expect(safeUrl('mailto:me@example.com')).toBe('mailto:me@example.com')
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>',
      'file:///etc/passwd',
      'vbscript:x',
      '/settings',
      '#top',
      '',
    ]) {
      expect(safeUrl(bad), bad).toBeNull()
    }
  })
})

describe('a streaming reply', () => {
  it('settles at paragraph breaks but never inside an open code block', () => {
    expect(splitSettled('One.\n\nTwo is still being wri')).toEqual({ settled: 'One.\n\n', tail: 'Two is still being wri' })
    const open = 'Intro\n\n```js\nconst a = 1\n\nconst b'
    expect(splitSettled(open)).toEqual({ settled: 'Intro\n\n', tail: '```js\nconst a = 1\n\nconst b' })
    const closed = 'Intro\n\n```js\nconst a = 1\n\nconst b\n```\n\nAfter'
    expect(splitSettled(closed)).toEqual({ settled: 'Intro\n\n```js\nconst a = 1\n\nconst b\n```\n\n', tail: 'After' })
    expect(splitSettled('No break yet')).toEqual({ settled: '', tail: 'No break yet' })
  })
})

describe("a reply's thinking", () => {
  it('is titled by how long the model thought, rounded to seconds, never "0 s"', () => {
    expect(thoughtFor(undefined, true)).toBe('Thinking…')
    expect(thoughtFor(4000, true)).toBe('Thinking…')
    expect(thoughtFor(4000, false)).toBe('Thought for 4 s')
    expect(thoughtFor(4499, false)).toBe('Thought for 4 s')
    expect(thoughtFor(120, false)).toBe('Thought for 1 s')
    expect(thoughtFor(95_000, false)).toBe('Thought for 1 min 35 s')
    expect(thoughtFor(120_000, false)).toBe('Thought for 2 min')
    expect(thoughtFor(undefined, false)).toBe('Thoughts')
  })
})

describe('AI Horde prompts', () => {
  const turns: ChatTurn[] = [
    { role: 'system', content: 'Be kind.' },
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello!' },
    { role: 'user', content: 'Bye' },
  ]

  it('picks the template family from the model name', () => {
    expect(templateFamily('koboldcpp/Meta-Llama-3.1-8B-Instruct')).toBe('llama3')
    expect(templateFamily('aphrodite/Qwen/Qwen2.5-7B-Instruct')).toBe('chatml')
    expect(templateFamily('koboldcpp/Mistral-Nemo-Instruct-2407')).toBe('mistral')
    expect(templateFamily('google/gemma-2-9b-it')).toBe('gemma')
    expect(templateFamily('koboldcpp/Fimbulvetr-11B-v2')).toBe('plain')
  })

  it('writes each family the way its models were trained, ending where the reply begins', () => {
    expect(formatPrompt('llama3', turns).prompt).toBe(
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe kind.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nBye<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\n',
    )
    expect(formatPrompt('mistral', turns).prompt).toBe('<s>[INST] Be kind.\n\nHi [/INST] Hello!</s>[INST] Bye [/INST]')
    expect(formatPrompt('gemma', turns).prompt).toBe(
      '<start_of_turn>user\nBe kind.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n<start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\n',
    )
    expect(formatPrompt('plain', turns)).toEqual({
      prompt: 'System: Be kind.\nUser: Hi\nAssistant: Hello!\nUser: Bye\nAssistant:',
      stop: ['\nUser:', '\nSystem:'],
    })
    expect(trimAtStop(' See you!\nUser: more', ['\nUser:'])).toBe('See you!')
  })

  it('keeps the system prompt and the newest turns within the budget', () => {
    const long: ChatTurn[] = [
      { role: 'system', content: 'S' },
      ...Array.from({ length: 10 }, (_, i) => ({ role: 'user' as const, content: `${i}`.padEnd(10, '.') })),
    ]
    expect(recentTurns(long, 31).map((t) => t.content[0])).toEqual(['S', '7', '8', '9'])
    expect(recentTurns([{ role: 'user', content: 'x'.repeat(100) }], 10)).toHaveLength(1)
  })
})
