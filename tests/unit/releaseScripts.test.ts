import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dump, load } from 'js-yaml'
import { afterEach, describe, expect, it } from 'vitest'
import { collectRelease } from '../../scripts/release/collectRelease.js'
import { mergeMacFeeds } from '../../scripts/release/macFeeds.js'
import { repoRoot } from '../support/paths.js'

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version
const temps: string[] = []
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true })
})
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gridforge-release-'))
  temps.push(dir)
  return dir
}

/** An update feed the way electron-builder writes it: each file with its hash and size. */
function feed(files: string[], releaseDate = '2026-12-01T10:00:00.000Z', feedVersion = version): string {
  const entries = files.map((url) => ({ url, sha512: `sha512-of-${url}`, size: url.length * 1000 }))
  return dump({ version: feedVersion, files: entries, path: files[0], sha512: entries[0]!.sha512, releaseDate })
}

/** What the five build runners upload, one folder each (.github/workflows/desktop.yml). */
function artifacts(skip: string[] = []): string {
  const dir = temp()
  const runners: Record<string, Record<string, string>> = {
    'dist-win-x64': {
      [`GridForge-Setup-${version}-x64.exe`]: 'exe',
      [`GridForge-Setup-${version}-x64.exe.blockmap`]: 'map',
      'latest.yml': feed([`GridForge-Setup-${version}-x64.exe`]),
    },
    'dist-linux-x64': {
      [`GridForge-${version}-linux-x64.AppImage`]: 'appimage',
      [`gridforge_${version}_amd64.deb`]: 'deb',
      'latest-linux.yml': feed([`GridForge-${version}-linux-x64.AppImage`]),
    },
    'dist-linux-arm64': {
      [`GridForge-${version}-linux-arm64.AppImage`]: 'appimage',
      [`gridforge_${version}_arm64.deb`]: 'deb',
      'latest-linux-arm64.yml': feed([`GridForge-${version}-linux-arm64.AppImage`]),
    },
    'dist-mac-arm64': {
      [`GridForge-${version}-mac-arm64.zip`]: 'zip',
      [`GridForge-${version}-mac-arm64.dmg`]: 'dmg',
      'latest-mac.yml': feed([`GridForge-${version}-mac-arm64.zip`, `GridForge-${version}-mac-arm64.dmg`], '2026-12-01T10:05:00.000Z'),
    },
    'dist-mac-x64': {
      [`GridForge-${version}-mac-x64.zip`]: 'zip',
      [`GridForge-${version}-mac-x64.dmg`]: 'dmg',
      'latest-mac.yml': feed([`GridForge-${version}-mac-x64.zip`, `GridForge-${version}-mac-x64.dmg`], '2026-12-01T10:01:00.000Z'),
    },
  }
  for (const [runner, files] of Object.entries(runners)) {
    if (skip.includes(runner)) continue
    mkdirSync(join(dir, runner))
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, runner, name), content)
  }
  return dir
}

describe('collecting the runners’ uploads into one release', () => {
  it('keeps every installer and feed, and merges the two macOS feeds so both kinds of Mac find their zip', () => {
    const release = join(temp(), 'release')
    const names = collectRelease(artifacts(), release)
    expect(names).toEqual(readdirSync(release).sort())
    expect(names).toEqual(
      expect.arrayContaining([
        'latest.yml',
        'latest-linux.yml',
        'latest-linux-arm64.yml',
        'latest-mac.yml',
        `gridforge_${version}_arm64.deb`,
      ]),
    )
    expect(names).toHaveLength(14)
    const mac = load(readFileSync(join(release, 'latest-mac.yml'), 'utf8')) as {
      files: Array<{ url: string; sha512: string }>
      path: string
      sha512: string
      releaseDate: string
    }
    expect(mac.files.map((file) => file.url)).toEqual([
      `GridForge-${version}-mac-arm64.zip`,
      `GridForge-${version}-mac-arm64.dmg`,
      `GridForge-${version}-mac-x64.zip`,
      `GridForge-${version}-mac-x64.dmg`,
    ])
    // Updaters from before arm64 support read only `path`; they all run on Intel Macs.
    expect(mac).toMatchObject({ path: `GridForge-${version}-mac-x64.zip`, sha512: `sha512-of-GridForge-${version}-mac-x64.zip` })
    expect(mac.releaseDate).toBe('2026-12-01T10:05:00.000Z')
  })

  it('refuses a release that a runner did not upload to, saying which', () => {
    expect(() => collectRelease(artifacts(['dist-linux-arm64']), join(temp(), 'r'))).toThrow(
      'The release has no latest-linux-arm64.yml: a build runner did not upload its installers.',
    )
    expect(() => collectRelease(artifacts(['dist-mac-x64']), join(temp(), 'r'))).toThrow(
      'latest-mac.yml has no Intel (x64) zip: the macOS x64 runner did not upload.',
    )
  })

  it('refuses a feed that names a missing installer, and two runners uploading the same name', () => {
    const missing = artifacts()
    rmSync(join(missing, 'dist-win-x64', `GridForge-Setup-${version}-x64.exe`))
    expect(() => collectRelease(missing, join(temp(), 'r'))).toThrow(
      `latest.yml names GridForge-Setup-${version}-x64.exe, which the release does not have.`,
    )
    const twice = artifacts()
    writeFileSync(join(twice, 'dist-linux-arm64', `gridforge_${version}_amd64.deb`), 'deb')
    expect(() => collectRelease(twice, join(temp(), 'r'))).toThrow(`Two runners uploaded gridforge_${version}_amd64.deb`)
  })

  it('refuses macOS feeds of different versions, and a file that is not a feed', () => {
    expect(() =>
      mergeMacFeeds([
        { name: 'a.yml', text: feed(['GridForge-1.0.0-mac-arm64.zip'], undefined, '1.0.0') },
        { name: 'b.yml', text: feed(['GridForge-1.0.1-mac-x64.zip'], undefined, '1.0.1') },
      ]),
    ).toThrow('The macOS feeds are for different versions (1.0.0, 1.0.1), so they cannot be one release.')
    expect(() => mergeMacFeeds([{ name: 'latest-mac.yml', text: 'version: 1.0.0\n' }])).toThrow(
      /^latest-mac\.yml is not an electron-builder update feed/,
    )
  })
})
