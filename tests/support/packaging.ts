import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { afterEach } from 'vitest'
import { repoRoot } from './paths.js'

/** The version of a package as installed in node_modules (what electron-builder and the hooks see). */
export function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version
}

/** GridForge's own version (package.json), the one a release tag must name. */
export const GRIDFORGE_VERSION = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version

/** Electron's version: the one the Electron addon of better-sqlite3 must be made for. */
export const ELECTRON_VERSION = installedVersion('electron')

/** Fresh folders under the system's temp folder, each removed after the test that made it. */
export function tempFolders(prefix: string): () => string {
  const made: string[] = []
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix))
    made.push(dir)
    return dir
  }
}

/**
 * A copy of an installed node_modules made of hard links (seconds, no extra disk), as a real folder: npm reads
 * a node_modules reached through a symlink as links to packages outside the project, and electron-builder then
 * cannot place their dependencies. Left out: the hidden lockfile and the tools' caches beside it (.vite,
 * .vite-temp), so npm reads the packages themselves, as it does on a CI checkout once vite or vitest ran.
 */
export function linkedInstall(from: string, to: string): void {
  mkdirSync(to, { recursive: true })
  for (const entry of readdirSync(from, { withFileTypes: true, recursive: true })) {
    const source = join(entry.parentPath, entry.name)
    const path = relative(from, source)
    const top = path.split(sep)[0]!
    if (top.startsWith('.') && top !== '.bin') continue
    const target = join(to, path)
    if (entry.isDirectory()) mkdirSync(target, { recursive: true })
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target)
    else linkSync(source, target)
  }
}

/** A temp folder on the same file system as `beside`, so that hard links to it can be made. */
export function tempFolderBeside(beside: string, prefix: string): string {
  const parent = statSync(tmpdir()).dev === statSync(beside).dev ? tmpdir() : join(repoRoot, '.cache')
  mkdirSync(parent, { recursive: true })
  return mkdtempSync(join(parent, prefix))
}
