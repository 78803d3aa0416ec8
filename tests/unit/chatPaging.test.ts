import { describe, expect, it } from 'vitest'
import { continuedWindow, stableCut } from '../../src/main/engine/conversationWindow.js'
import { mergePage } from '../../src/renderer/src/features/chat/pageMerge.js'
import type { Conversation, Message } from '../../src/shared/domain.js'

const message = (id: string, parentId: string | null): Message => ({
  id,
  parentId,
  conversationId: 'c',
  role: 'user',
  content: id,
  state: 'complete',
  error: null,
  model: null,
  createdAt: 0,
  updatedAt: 0,
})
const conversation = (messages: Message[], olderMessages: number, versions: Record<string, string[]> = {}): Conversation => ({
  id: 'c',
  title: 't',
  createdAt: 0,
  updatedAt: 0,
  messages,
  olderMessages,
  versions,
})

describe('a page returned after an action joins the earlier messages already loaded', () => {
  const loaded = conversation([message('m5', 'm4'), message('m6', 'm5'), message('m7', 'm6'), message('m8', 'm7')], 5, { m6: ['m6', 'x'] })

  it('keeps what came before the page when the page starts inside what is loaded', () => {
    const merged = mergePage(loaded, conversation([message('m7', 'm6'), message('m8b', 'm7')], 7))
    expect(merged.messages.map((m) => m.id)).toEqual(['m5', 'm6', 'm7', 'm8b'])
    expect(merged.olderMessages).toBe(5)
    expect(merged.versions).toEqual({ m6: ['m6', 'x'] })
  })

  it('keeps what came before a new version', () => {
    const merged = mergePage(loaded, conversation([message('m7b', 'm6')], 7))
    expect(merged.messages.map((m) => m.id)).toEqual(['m5', 'm6', 'm7b'])
  })

  it('takes the page as it is when it does not line up with what is loaded', () => {
    const page = conversation([message('m7', 'm6')], 3)
    expect(mergePage(loaded, page)).toBe(page)
    const other = { ...conversation([message('z', null)], 4), id: 'other' }
    expect(mergePage(loaded, other)).toBe(other)
  })
})

describe('a conversation cut to fit the context', () => {
  it('is not cut while it fits, then cut deep enough that the next turns fit behind the same cut', () => {
    expect(stableCut(900, 1000, null)).toBe(0)
    const cut = stableCut(1100, 1000, 0)
    expect(1100 - cut).toBe(750)
    expect(stableCut(1300, 1000, cut)).toBe(cut)
    expect(stableCut(1400, 1000, cut)).toBe(1400 - 750)
  })

  it('continues the last context window only when the history continues the last one', () => {
    const memory = {
      kind: 'chat' as const,
      cleanHistory: [
        { type: 'user' as const, text: 'a' },
        { type: 'model' as const, response: ['b'] },
      ],
      contextWindow: [{ type: 'model' as const, response: ['b'] }],
      contextShiftMetadata: null,
    }
    const next = [...memory.cleanHistory, { type: 'user' as const, text: 'c' }]
    expect(continuedWindow(memory, next)).toEqual([
      { type: 'model', response: ['b'] },
      { type: 'user', text: 'c' },
    ])
    expect(
      continuedWindow(memory, [
        { type: 'user', text: 'edited' },
        { type: 'user', text: 'c' },
      ]),
    ).toBeUndefined()
    expect(continuedWindow(null, next)).toBeUndefined()
  })
})
