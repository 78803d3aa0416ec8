import type { ChatTurn, ToolDefinition } from '../../../src/shared/generation.js'

export interface PromptCase {
  name: string
  turns: ChatTurn[]
  tools?: ToolDefinition[]
  /** Only templates that render tools (or earlier reasoning) can be held to these. */
  needs?: 'tools' | 'thinking'
}

const weather: ToolDefinition = {
  name: 'get_weather',
  description: 'The current weather in a city.',
  parameters: {
    type: 'object',
    properties: {
      city: { type: 'string', description: 'The city, e.g. Paris' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    },
    required: ['city'],
  },
}

const time: ToolDefinition = {
  name: 'get_time',
  description: 'The local time in a time zone.',
  parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] },
}

/** Requests as clients send them: what every family's prompt must render token for token like its template. */
export const promptCorpus: PromptCase[] = [
  { name: 'one user message', turns: [{ role: 'user', content: 'Hello! Who are you?' }] },
  {
    name: 'a system prompt and several turns',
    turns: [
      { role: 'system', content: 'You are a terse assistant. Answer in one line.' },
      { role: 'user', content: 'What is 2 + 2?' },
      { role: 'assistant', content: '4.' },
      { role: 'user', content: 'And times 3, in words?' },
    ],
  },
  {
    name: 'non-ASCII text, code and blank lines',
    turns: [
      { role: 'user', content: 'Übersetze: "¿Dónde está el baño?" 🚻\n\n```js\nconst x = 1\n```' },
      { role: 'assistant', content: 'Wo ist die Toilette?' },
      { role: 'user', content: '日本語では？' },
    ],
  },
  {
    name: 'messages with surrounding whitespace, as pasted',
    turns: [
      { role: 'user', content: '  Summarise this:\n\nThe cat sat on the mat.\n' },
      { role: 'assistant', content: 'A cat sat on a mat.\n\n' },
      { role: 'user', content: 'Shorter?\n' },
    ],
  },
  {
    name: 'tools offered with a system prompt',
    needs: 'tools',
    tools: [weather, time],
    turns: [
      { role: 'system', content: 'You help travellers.' },
      { role: 'user', content: "What's the weather in Paris?" },
    ],
  },
  {
    name: 'an assistant tool call and its result',
    needs: 'tools',
    tools: [weather],
    turns: [
      { role: 'user', content: 'Weather in Paris, in celsius?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city": "Paris", "unit": "celsius"}' }],
      },
      { role: 'tool', toolCallId: 'call_1', content: '{"temperature": 18, "sky": "clear"}' },
    ],
  },
  {
    name: 'parallel tool calls, their results and a follow-up question',
    needs: 'tools',
    tools: [weather, time],
    turns: [
      { role: 'user', content: 'Weather and time in Tokyo?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'call_a', name: 'get_weather', arguments: '{"city": "Tokyo"}' },
          { id: 'call_b', name: 'get_time', arguments: '{"zone": "Asia/Tokyo"}' },
        ],
      },
      { role: 'tool', toolCallId: 'call_a', content: '{"temperature": 22}' },
      { role: 'tool', toolCallId: 'call_b', content: '21:04' },
      { role: 'assistant', content: 'It is 22 °C and 21:04 in Tokyo.' },
      { role: 'user', content: 'Thanks! And in Oslo?' },
    ],
  },
  {
    name: 'a tool call with compact JSON, as JavaScript clients send it',
    needs: 'tools',
    tools: [weather],
    turns: [
      { role: 'user', content: 'Weather in Oslo?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_9', name: 'get_weather', arguments: JSON.stringify({ city: 'Oslo' }) }] },
      { role: 'tool', toolCallId: 'call_9', content: JSON.stringify({ temperature: -3, sky: 'snow' }) },
    ],
  },
  {
    name: "a thinking model's earlier turns",
    needs: 'thinking',
    turns: [
      { role: 'user', content: 'Is 17 prime?' },
      { role: 'assistant', reasoning: '17 is not divisible by 2, 3 or 4.', content: 'Yes, 17 is prime.' },
      { role: 'user', content: 'And 21?' },
    ],
  },
  {
    name: 'reasoning before a tool call in the current turn',
    needs: 'tools',
    tools: [weather],
    turns: [
      { role: 'user', content: 'Should I take an umbrella in Paris?' },
      {
        role: 'assistant',
        reasoning: 'I need the weather in Paris first.',
        content: '',
        toolCalls: [{ id: 'call_7', name: 'get_weather', arguments: '{"city": "Paris"}' }],
      },
      { role: 'tool', toolCallId: 'call_7', content: '{"sky": "rain"}' },
    ],
  },
]

/** Text that exercises a tokenizer's pre-tokenizer, merges, byte fallback and normalization. */
export const tokenizerTexts: string[] = [
  'Hello world',
  ' leading space',
  'trailing  \n',
  'tabs\tand\t\ttabs',
  '    four spaces of indent\n        eight',
  'Numbers 1234567 3.14159 1e-9',
  "I'm sure they'll've done it",
  'Übergrößenträger naïve café',
  '日本語のテキストです。',
  'Привет, мир!',
  'emoji 🚀🦙😶‍🌫️ ✅',
  'def f(x):\n    return x**2  # square\n',
  '<html><body><h1>Title</h1></body></html>',
  '\n\n\n\nmany newlines\n\n',
  'a'.repeat(50),
  'URL https://example.com/path?q=1&r=2',
  'mixed CASE WoRdS and_snake_case camelCase',
  '∑∫√∞ ≈ ≠',
  'kombination: ﬁ ligature, ½ fraction',
  'Zwischen\u00a0Räumen\u2003em',
]
