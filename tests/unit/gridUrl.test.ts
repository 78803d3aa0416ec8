import { describe, expect, it } from 'vitest'
import { contract } from '../../src/shared/api.js'
import { gridUrlProblem } from '../../src/shared/gridUrl.js'

describe('the grid URL the API key is sent to', () => {
  it('may be https anywhere, or plain http only on this PC', () => {
    for (const ok of [
      '',
      'https://api.aipowergrid.io',
      'https://grid.example.com:8443/prefix',
      'http://127.0.0.1:7001',
      'http://localhost:7001',
      'http://LOCALHOST',
      'http://[::1]:7001',
    ]) {
      expect(gridUrlProblem(ok), ok).toBeNull()
    }
    for (const bad of [
      'http://grid.example.com',
      'http://127.0.0.1@evil.example',
      'http://evil.example\\@127.0.0.1',
      'http://127.0.0.1.evil.example',
      'http://10.0.0.2:7001',
    ]) {
      expect(gridUrlProblem(bad), bad).toMatch(/must start with https:\/\/.*only for a grid on this PC/)
    }
    for (const bad of ['file:///etc/passwd', 'ws://127.0.0.1', 'not a url', 'https://exa mple.com'])
      expect(gridUrlProblem(bad), bad).toMatch(/not a web address|https/)
  })

  it('is checked by earn.configure with the reason', () => {
    const parsed = contract['earn.configure'].request.safeParse({
      network: 'aipg',
      gridUrl: 'http://grid.example.com',
      workerName: 'x',
      slots: 1,
      maxLength: 64,
      maxContextLength: 1024,
    })
    expect(parsed.success).toBe(false)
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ['gridUrl'],
      message: expect.stringMatching(/^the grid URL must start with https:\/\//),
    })
  })
})
