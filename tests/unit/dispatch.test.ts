import { describe, expect, it } from 'vitest'
import { contract } from '../../src/shared/api.js'
import { callNames } from '../../src/shared/channels.js'
import { MAX_MESSAGE_CHARS } from '../../src/shared/limits.js'
import { AppError } from '../../src/shared/result.js'
import { createDispatcher, type Handlers } from '../../src/main/host/dispatch.js'

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  const unused = () => {
    throw new Error('not called in this test')
  }
  return {
    'app.info': () => ({ version: '1', shell: 'headless', modelsDir: '/m' }),
    'models.listLocal': () => [],
    'engine.status': unused,
    'engine.load': unused,
    'engine.unload': unused,
    'chat.list': () => [],
    'chat.get': unused,
    'chat.delete': unused,
    'chat.send': unused,
    'chat.stop': ({ messageId }) => ({ stopped: messageId === 'streaming-one' }),
    'chat.gridModels': unused,
    'earn.status': unused,
    'earn.configure': unused,
    'earn.setApiKey': unused,
    'earn.start': unused,
    'earn.stop': unused,
    'earn.jobs': unused,
    'api.status': unused,
    'api.configure': unused,
    'api.regenerateToken': unused,
    ...overrides,
  }
}

describe('the host boundary', () => {
  it('lists exactly the contract calls as runtime channel names', () => {
    expect(Object.keys(callNames).sort()).toEqual(Object.keys(contract).sort())
  })

  it('answers a valid call with its value', async () => {
    const dispatch = createDispatcher(handlers())
    expect(await dispatch('chat.stop', { messageId: 'streaming-one' })).toEqual({
      ok: true,
      value: { stopped: true },
    })
  })

  it('refuses unknown calls, including prototype names, as BAD_REQUEST', async () => {
    const dispatch = createDispatcher(handlers())
    for (const name of ['nope', '__proto__', 'constructor', 42, null]) {
      const result = await dispatch(name, {})
      expect(result).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    }
  })

  it('refuses requests of the wrong shape before any handler runs', async () => {
    const dispatch = createDispatcher(handlers())
    const bad: Array<[string, unknown]> = [
      ['engine.load', { path: 42 }],
      ['engine.load', { path: '' }],
      ['engine.load', { path: '/m.gguf', extra: true }],
      ['chat.send', { conversationId: null, text: '   ' }],
      ['chat.send', { conversationId: null, text: 'x'.repeat(MAX_MESSAGE_CHARS + 1) }],
      ['chat.get', 'not an object'],
    ]
    for (const [name, request] of bad) {
      const result = await dispatch(name, request)
      expect(result, `${name} ${JSON.stringify(request).slice(0, 40)}`).toMatchObject({
        ok: false,
        error: { code: 'BAD_REQUEST' },
      })
    }
  })

  it('turns thrown AppErrors into error values and hides internal details', async () => {
    const dispatch = createDispatcher(
      handlers({
        'chat.get': () => {
          throw new AppError('NOT_FOUND', 'That conversation no longer exists.')
        },
        'chat.list': () => {
          throw new Error('SQLITE_CORRUPT at /home/someone/secret/path')
        },
      }),
    )
    expect(await dispatch('chat.get', { conversationId: 'x' })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'That conversation no longer exists.' },
    })
    const internal = await dispatch('chat.list', {})
    expect(internal).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
    expect(JSON.stringify(internal)).not.toContain('secret')
  })
})
