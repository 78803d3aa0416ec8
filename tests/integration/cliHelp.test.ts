import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { cliEntry, requireBuild } from '../support/paths.js'

describe('gridforge --help', () => {
  it.each([['--help'], ['-h'], ['help'], ['serve', '--help']])('prints the help for `gridforge %s`', (...args) => {
    requireBuild()
    const run = spawnSync(process.execPath, [cliEntry, ...args], { encoding: 'utf8' })
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/^Usage: gridforge <command> \[options\]/)
    expect(run.stderr).toBe('')
  })
})
