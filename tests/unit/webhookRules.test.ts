import { describe, expect, it } from 'vitest'
import { DeliveryQueue } from '../../src/main/alerts/deliveryQueue.js'
import { redirectTarget } from '../../src/main/alerts/webhookPost.js'
import { webhookUrlProblem } from '../../src/shared/alerts.js'

describe('webhook rules', () => {
  it('accepts https and loopback http only, and no credentials in the URL', () => {
    expect(webhookUrlProblem('')).toBeNull()
    expect(webhookUrlProblem('https://discord.com/api/webhooks/1/abc')).toBeNull()
    expect(webhookUrlProblem('http://127.0.0.1:9000/hook')).toBeNull()
    expect(webhookUrlProblem('http://localhost/hook')).toBeNull()
    expect(webhookUrlProblem('http://[::1]:8080/hook')).toBeNull()
    expect(webhookUrlProblem('http://hooks.example.com/x')).toBe(
      'the webhook URL must use https (plain http only to 127.0.0.1 or localhost)',
    )
    expect(webhookUrlProblem('http://127.0.0.1.example.com/x')).toBe(
      'the webhook URL must use https (plain http only to 127.0.0.1 or localhost)',
    )
    expect(webhookUrlProblem('https://user:pass@hooks.example.com/x')).toBe('the webhook URL must not carry a user name or password')
    expect(webhookUrlProblem('ftp://hooks.example.com/x')).toBe('the webhook URL is not a web address (https://…)')
    expect(webhookUrlProblem('not a url')).toBe('the webhook URL is not a web address (https://…)')
  })

  it('follows a redirect only on the same host and over https (http only on loopback)', () => {
    const from = new URL('https://hooks.example.com/a')
    expect(redirectTarget(from, '/b')?.href).toBe('https://hooks.example.com/b')
    expect(redirectTarget(from, 'https://hooks.example.com/c')?.href).toBe('https://hooks.example.com/c')
    expect(redirectTarget(from, 'http://hooks.example.com/c')).toBeNull()
    expect(redirectTarget(from, 'https://evil.example.net/c')).toBeNull()
    expect(redirectTarget(from, 'https://hooks.example.com:8443/c')).toBeNull()
    expect(redirectTarget(from, null)).toBeNull()
    expect(redirectTarget(new URL('http://127.0.0.1:9000/a'), '/b')?.href).toBe('http://127.0.0.1:9000/b')
  })

  it('keeps at most a bounded number of deliveries waiting, dropping the oldest', async () => {
    const logs: string[] = []
    const queue = new DeliveryQueue((line) => logs.push(line), 2)
    const ran: number[] = []
    let release: () => void = () => undefined
    const first = new Promise<void>((resolve) => (release = resolve))
    queue.push(() => first)
    for (const n of [1, 2, 3, 4]) queue.push(async () => void ran.push(n))
    expect(logs).toEqual([
      'alerts: too many alerts waiting for delivery; the oldest was dropped.',
      'alerts: too many alerts waiting for delivery; the oldest was dropped.',
    ])
    release()
    await queue.idle()
    expect(ran).toEqual([3, 4])
  })
})
