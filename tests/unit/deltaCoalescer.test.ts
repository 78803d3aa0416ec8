import { describe, expect, it } from 'vitest'
import { DeltaCoalescer, type CoalescerClock, type ReplyPiece } from '../../src/main/chat/deltaCoalescer.js'

/** A clock that moves only when told to, running due tasks in time order. */
function fakeClock(): CoalescerClock & { advance(ms: number): void; pending(): number } {
  let time = 0
  const tasks: Array<{ at: number; task: () => void; live: boolean }> = []
  const due = (until: number) => tasks.filter((entry) => entry.live && entry.at <= until).sort((a, b) => a.at - b.at)[0]
  return {
    now: () => time,
    after(ms, task) {
      const entry = { at: time + ms, task, live: true }
      tasks.push(entry)
      return () => {
        entry.live = false
      }
    },
    advance(ms) {
      const end = time + ms
      for (let next = due(end); next; next = due(end)) {
        time = next.at
        next.live = false
        next.task()
      }
      time = end
    },
    pending: () => tasks.filter((entry) => entry.live).length,
  }
}

function setup(intervalMs = 16) {
  const clock = fakeClock()
  const sent: Array<ReplyPiece & { at: number }> = []
  const coalescer = new DeltaCoalescer(intervalMs, (batch) => sent.push({ ...batch, at: clock.now() }), clock)
  return { clock, sent, coalescer }
}

describe('the delta coalescer', () => {
  it('sends the first words at once', () => {
    const { sent, coalescer } = setup()
    coalescer.push({ text: 'Once' })
    expect(sent).toEqual([{ text: 'Once', reasoning: '', at: 0 }])
  })

  it('gathers fast tokens into one batch per interval, in order, none waiting longer than the interval', () => {
    const { clock, sent, coalescer } = setup(16)
    const tokens = Array.from({ length: 40 }, (_, i) => `t${i} `)
    const pushedAt: number[] = []
    for (const token of tokens) {
      pushedAt.push(clock.now())
      coalescer.push({ text: token })
      clock.advance(2)
    }
    clock.advance(16)
    expect(sent.map((batch) => batch.text).join('')).toBe(tokens.join(''))
    // 80 ms of tokens every 2 ms: the first at once, then one batch per 16 ms, not 40 events.
    expect(sent.map((batch) => batch.at)).toEqual([0, 16, 32, 48, 64, 80])
    let index = 0
    for (const batch of sent) {
      for (const _piece of batch.text.trim().split(' ')) {
        expect(batch.at - pushedAt[index]!).toBeLessThanOrEqual(16)
        index++
      }
    }
    expect(clock.pending()).toBe(0)
  })

  it('sends each token of a slow stream as it comes (a quiet spell means nothing to wait for)', () => {
    const { clock, sent, coalescer } = setup(16)
    for (const token of ['a', 'b', 'c']) {
      coalescer.push({ text: token })
      clock.advance(50)
    }
    expect(sent).toEqual([
      { text: 'a', reasoning: '', at: 0 },
      { text: 'b', reasoning: '', at: 50 },
      { text: 'c', reasoning: '', at: 100 },
    ])
  })

  it('keeps thinking and answer apart within a batch', () => {
    const { clock, sent, coalescer } = setup(16)
    coalescer.push({ reasoning: 'Hmm' })
    coalescer.push({ reasoning: ', the user' })
    coalescer.push({ reasoning: ' asks.' })
    coalescer.push({ text: 'Hello' })
    clock.advance(16)
    expect(sent).toEqual([
      { text: '', reasoning: 'Hmm', at: 0 },
      { text: 'Hello', reasoning: ', the user asks.', at: 16 },
    ])
  })

  it('flushes what is gathered when the reply ends, and sends nothing twice', () => {
    const { clock, sent, coalescer } = setup(1000)
    coalescer.push({ text: 'a' })
    coalescer.push({ text: 'b' })
    clock.advance(10)
    coalescer.flush()
    expect(sent.map((batch) => [batch.text, batch.at])).toEqual([
      ['a', 0],
      ['b', 10],
    ])
    clock.advance(5000)
    coalescer.flush()
    expect(sent).toHaveLength(2)
  })

  it('after stop, drops what is gathered and ignores what comes later', () => {
    const { clock, sent, coalescer } = setup(16)
    coalescer.push({ text: 'a' })
    coalescer.push({ text: 'b' })
    coalescer.stop()
    coalescer.push({ text: 'c' })
    clock.advance(100)
    coalescer.flush()
    expect(sent.map((batch) => batch.text)).toEqual(['a'])
    expect(clock.pending()).toBe(0)
  })

  it('paces saves the same way: a save that fails asks again one interval later', () => {
    const clock = fakeClock()
    const attempts: number[] = []
    let diskFull = true
    const saves: DeltaCoalescer = new DeltaCoalescer(
      1000,
      () => {
        attempts.push(clock.now())
        if (diskFull) saves.push()
      },
      clock,
    )
    saves.push()
    clock.advance(2500)
    diskFull = false
    clock.advance(1000)
    clock.advance(5000)
    expect(attempts).toEqual([0, 1000, 2000, 3000])
  })
})
