import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  FIRST_CHECK_DELAY_MS,
  IDLE_POLL_MS,
  INSTALL_WATCHDOG_MS,
  UPDATE_CHECK_INTERVAL_MS,
  UpdatePolicy,
  type UpdatePolicyDeps,
} from '../../src/main/electron/updatePolicy.js'
import { installOnQuit, readyNoteFor } from '../../src/main/electron/electronUpdater.js'

function setup(overrides: Partial<UpdatePolicyDeps> = {}) {
  let busy: string | null = null
  const installs: number[] = []
  const checks: number[] = []
  const asked: Array<string | null> = []
  let answer = true
  const log: string[] = []
  const policy = new UpdatePolicy({
    updater: {
      checkForUpdates: async () => checks.push(Date.now()),
      quitAndInstall: () => installs.push(Date.now()),
    },
    disabledReason: null,
    busyReason: () => busy,
    ask: async (version) => {
      asked.push(version)
      return answer
    },
    log: (line) => log.push(line),
    ...overrides,
  })
  return {
    policy,
    installs,
    checks,
    asked,
    log,
    setBusy: (reason: string | null) => (busy = reason),
    setAnswer: (value: boolean) => (answer = value),
  }
}

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

describe('the update policy', () => {
  it('is off for unpackaged and development runs, saying so in the log, and never checks', async () => {
    const { policy, checks, log } = setup({ disabledReason: 'this is a development run' })
    policy.start()
    policy.check()
    await vi.advanceTimersByTimeAsync(UPDATE_CHECK_INTERVAL_MS * 2)
    expect(checks).toEqual([])
    expect(policy.snapshot()).toMatchObject({ state: 'disabled', detail: 'this is a development run' })
    expect(log).toEqual(['updates are off: this is a development run'])
  })

  it('checks shortly after start and then every four hours', async () => {
    const { policy, checks } = setup()
    policy.start()
    await vi.advanceTimersByTimeAsync(FIRST_CHECK_DELAY_MS)
    expect(checks).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(UPDATE_CHECK_INTERVAL_MS)
    expect(checks).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(UPDATE_CHECK_INTERVAL_MS)
    expect(checks).toHaveLength(3)
    expect(policy.snapshot().state).toBe('up-to-date')
  })

  it('shows download progress, then offers a restart without installing on its own', async () => {
    const { policy, installs } = setup()
    const seen: string[] = []
    policy.subscribe((s) => seen.push(s.state))
    policy.check()
    policy.onAvailable('0.2.0')
    policy.onProgress(0.5)
    expect(policy.snapshot()).toMatchObject({ state: 'downloading', version: '0.2.0', progress: 0.5 })
    policy.onDownloaded('0.2.0')
    await vi.advanceTimersByTimeAsync(UPDATE_CHECK_INTERVAL_MS)
    expect(policy.snapshot()).toMatchObject({ state: 'ready', version: '0.2.0' })
    expect(installs).toEqual([])
    expect(seen).toEqual(['checking', 'downloading', 'downloading', 'ready'])
  })

  it('installs at once when the user restarts and nothing is running', () => {
    const { policy, installs } = setup()
    policy.onDownloaded('0.2.0')
    policy.restartToUpdate()
    expect(installs).toHaveLength(1)
  })

  it('never interrupts a running job: waits until it is done, then asks again', async () => {
    const { policy, installs, asked, setBusy } = setup()
    policy.onDownloaded('0.2.0')
    setBusy('a grid job is running')
    policy.restartToUpdate()
    expect(policy.snapshot()).toMatchObject({ state: 'waiting-for-idle' })
    expect(policy.snapshot().detail).toContain('a grid job is running')
    await vi.advanceTimersByTimeAsync(IDLE_POLL_MS * 3)
    setBusy('a chat reply is being written')
    await vi.advanceTimersByTimeAsync(IDLE_POLL_MS)
    expect(policy.snapshot().detail).toContain('a chat reply is being written')
    expect(installs).toEqual([])
    expect(asked).toEqual([])
    setBusy(null)
    await vi.advanceTimersByTimeAsync(IDLE_POLL_MS)
    expect(asked).toEqual(['0.2.0'])
    expect(installs).toHaveLength(1)
  })

  it('keeps the update ready when the user says later after the wait', async () => {
    const { policy, installs, setBusy, setAnswer } = setup()
    policy.onDownloaded('0.2.0')
    setBusy('a grid job is running')
    policy.restartToUpdate()
    setBusy(null)
    setAnswer(false)
    await vi.advanceTimersByTimeAsync(IDLE_POLL_MS)
    expect(installs).toEqual([])
    expect(policy.snapshot().state).toBe('ready')
  })

  it('turns a failed check into a visible error and tries again at the next check', async () => {
    let fail = true
    const { policy } = setup({
      updater: {
        checkForUpdates: async () => {
          if (fail) throw new Error('getaddrinfo ENOTFOUND github.com')
        },
        quitAndInstall: () => undefined,
      },
    })
    policy.start()
    await vi.advanceTimersByTimeAsync(FIRST_CHECK_DELAY_MS)
    expect(policy.snapshot()).toMatchObject({ state: 'error' })
    expect(policy.snapshot().detail).toMatch(/try again later/)
    fail = false
    await vi.advanceTimersByTimeAsync(UPDATE_CHECK_INTERVAL_MS)
    expect(policy.snapshot().state).toBe('up-to-date')
  })

  it('says a damaged download (checksum refused) was not installed, and downloads it again at the next check', async () => {
    const { policy } = setup()
    policy.start()
    await vi.advanceTimersByTimeAsync(FIRST_CHECK_DELAY_MS)
    policy.onAvailable('0.2.0')
    const refused = Object.assign(new Error('sha512 checksum mismatch, expected abc, got def'), { code: 'ERR_CHECKSUM_MISMATCH' })
    policy.onError(refused)
    expect(policy.snapshot()).toMatchObject({ state: 'error' })
    expect(policy.snapshot().detail).toBe(
      'The update to 0.2.0 arrived damaged (its checksum did not match) and was not installed; GridForge keeps running this version and downloads it again at the next check.',
    )
    await vi.advanceTimersByTimeAsync(UPDATE_CHECK_INTERVAL_MS)
    expect(policy.snapshot().state).toBe('up-to-date')
  })
})

describe('an install that fails or is cancelled', () => {
  /** An updater whose install reports an error as electron-updater does (the 'error' event, then no quit). */
  function failingInstall(error: Error) {
    const failures: string[] = []
    let policy: UpdatePolicy | null = null
    const checks: number[] = []
    const built = setup({
      updater: {
        checkForUpdates: async () => checks.push(Date.now()),
        quitAndInstall: () => policy?.onError(error),
      },
      installFailed: (sentence) => failures.push(sentence),
    })
    policy = built.policy
    return { ...built, failures, checks }
  }

  it('leaves the update ready, says the password prompt was cancelled, and resumes the periodic checks', async () => {
    const { policy, failures, checks, log } = failingInstall(new Error('Command pkexec exited with code 126'))
    policy.start()
    await vi.advanceTimersByTimeAsync(FIRST_CHECK_DELAY_MS)
    policy.onDownloaded('0.2.0')
    policy.restartToUpdate()
    const sentence =
      'The update to 0.2.0 was not installed because the password prompt was cancelled; GridForge keeps running this version, and Restart to update tries again.'
    expect(failures).toEqual([sentence])
    expect(policy.snapshot()).toMatchObject({ state: 'ready', detail: sentence })
    expect(log).toContain(sentence)
    // The periodic timer runs again (a check while ready finds the update already downloaded).
    const before = checks.length
    policy.onError(new Error('later check failed'))
    await vi.advanceTimersByTimeAsync(UPDATE_CHECK_INTERVAL_MS)
    expect(checks.length).toBe(before + 1)
  })

  it('names an installer error, and a second try installs again', () => {
    const { policy, failures } = failingInstall(new Error('Command dpkg exited with code 1\nbroken dependency'))
    policy.onDownloaded('0.2.0')
    policy.restartToUpdate()
    policy.restartToUpdate()
    expect(failures).toEqual([
      expect.stringMatching(/^The update to 0\.2\.0 was not installed because the installer failed \(Command dpkg exited with code 1\)/),
      expect.stringMatching(/installer failed/),
    ])
  })

  it('that neither quits nor reports an error is given up after a minute, and the app stays usable', async () => {
    const failures: string[] = []
    const { policy, installs } = setup({ installFailed: (sentence) => failures.push(sentence) })
    policy.onDownloaded('0.2.0')
    policy.restartToUpdate()
    expect(installs).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(INSTALL_WATCHDOG_MS - 1)
    expect(failures).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(failures).toEqual([expect.stringMatching(/^The update to 0\.2\.0 did not start installing; GridForge keeps running/)])
    expect(policy.snapshot().state).toBe('ready')
  })

  it('is not reported when the app quits to install (the timers stop with it)', async () => {
    const failures: string[] = []
    const { policy } = setup({ installFailed: (sentence) => failures.push(sentence) })
    policy.onDownloaded('0.2.0')
    policy.restartToUpdate()
    policy.stop()
    await vi.advanceTimersByTimeAsync(INSTALL_WATCHDOG_MS * 2)
    expect(failures).toEqual([])
  })
})

describe('the .deb (and other package-manager installs)', () => {
  it('never install on an ordinary Quit, which would ask for a root password, and say so with the update', () => {
    expect(installOnQuit('package-manager')).toBe(false)
    expect(installOnQuit('self')).toBe(true)
    expect(readyNoteFor('package-manager')).toMatch(/administrator password.*quitting does not install it/)
    expect(readyNoteFor('self')).toBeNull()
  })

  it('show that note with the downloaded update', () => {
    const { policy } = setup({ readyNote: readyNoteFor('package-manager') })
    policy.onDownloaded('0.2.0')
    expect(policy.snapshot()).toMatchObject({ state: 'ready', detail: expect.stringMatching(/administrator password/) })
  })
})
