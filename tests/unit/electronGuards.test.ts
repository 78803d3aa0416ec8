import { describe, expect, it } from 'vitest'
import { externalUrlToOpen, isAppUrl, isTrustedSender } from '../../src/main/electron/navigationGuards.js'
import { permissionGranted } from '../../src/main/electron/permissions.js'
import { mainWindowOptions } from '../../src/main/electron/windowOptions.js'

const appUrl = 'file:///opt/GridForge/resources/app/out/renderer/index.html'

describe('the window factory', () => {
  it('applies the security baseline to every window', () => {
    const options = mainWindowOptions('/app/out/preload/index.cjs')
    expect(options.show).toBe(false)
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    })
  })
})

describe('navigation guards', () => {
  it('keeps the window on the app itself', () => {
    expect(isAppUrl(appUrl, appUrl)).toBe(true)
    expect(isAppUrl(`${appUrl}#/chat`, appUrl)).toBe(true)
    expect(isAppUrl('file:///etc/passwd', appUrl)).toBe(false)
    expect(isAppUrl('https://example.com/', appUrl)).toBe(false)
    expect(isAppUrl('http://localhost:5173/', 'http://localhost:5173/')).toBe(true)
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false)
    expect(isAppUrl('not a url', appUrl)).toBe(false)
  })

  it('opens only plain https links in the system browser', () => {
    expect(externalUrlToOpen('https://aipowergrid.io/')).toBe('https://aipowergrid.io/')
    for (const url of [
      'http://example.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'https://user:pass@example.com/',
      'garbage',
    ]) {
      expect(externalUrlToOpen(url), url).toBeNull()
    }
  })

  it('trusts IPC only from the top frame of the app', () => {
    expect(isTrustedSender({ url: appUrl, parent: null }, appUrl)).toBe(true)
    expect(isTrustedSender({ url: appUrl, parent: {} }, appUrl)).toBe(false)
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null }, appUrl)).toBe(false)
    expect(isTrustedSender(null, appUrl)).toBe(false)
  })
})

describe('web permissions of the window', () => {
  const request = (permission: string, requestingUrl: string | undefined, isMainFrame = true) =>
    permissionGranted({ permission, requestingUrl, isMainFrame }, appUrl)

  it('lets the app itself write to the clipboard, so Copy buttons work', () => {
    expect(request('clipboard-sanitized-write', appUrl)).toBe(true)
    expect(request('clipboard-sanitized-write', `${appUrl}#/chat`)).toBe(true)
  })

  it('refuses everything else, and the clipboard to any other page or frame', () => {
    for (const permission of ['clipboard-read', 'notifications', 'media', 'geolocation', 'openExternal', 'unknown']) {
      expect(request(permission, appUrl), permission).toBe(false)
    }
    expect(request('clipboard-sanitized-write', 'https://example.com/')).toBe(false)
    expect(request('clipboard-sanitized-write', 'file:///tmp/evil.html')).toBe(false)
    expect(request('clipboard-sanitized-write', undefined)).toBe(false)
    expect(request('clipboard-sanitized-write', appUrl, false)).toBe(false)
  })
})
