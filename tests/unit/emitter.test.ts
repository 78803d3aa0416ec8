import { describe, expect, it } from 'vitest'
import { Emitter } from '../../src/main/lib/emitter.js'

interface Events {
  ready: number
  name: string
}

describe('a service emitter', () => {
  it('gives on(name) only that event, typed, until it is stopped', () => {
    const emitter = new Emitter<Events>()
    const seen: number[] = []
    const stop = emitter.on('ready', (value) => seen.push(value + 1))
    emitter.emit('name', 'ignored')
    emitter.emit('ready', 1)
    stop()
    emitter.emit('ready', 2)
    expect(seen).toEqual([2])
  })

  it('logs and skips a listener that throws, so the others and the service go on', () => {
    const logged: string[] = []
    const emitter = new Emitter<Events>((line) => logged.push(line))
    const heard: string[] = []
    emitter.on('name', () => {
      throw new Error('Object has been destroyed')
    })
    emitter.subscribe((name) => heard.push(name))
    expect(() => emitter.emit('name', 'tray')).not.toThrow()
    expect(heard).toEqual(['name'])
    expect(logged).toEqual(['a listener of name failed: Object has been destroyed'])
  })
})
