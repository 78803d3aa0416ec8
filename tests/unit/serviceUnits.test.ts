import { describe, expect, it } from 'vitest'
import { launchdPlist, systemdQuote, systemdUnit, windowsQuote, windowsTask, type ServiceSpec } from '../../src/main/cli/serviceUnits.js'

const spec = (extra: Partial<ServiceSpec> = {}): ServiceSpec => ({
  mode: 'worker',
  scope: 'user',
  name: 'gridforge-worker',
  description: 'GridForge grid worker',
  program: '/usr/bin/node',
  args: ['/opt/gridforge/bin/gridforge.js', 'worker', '--api-key-file', '/home/a/aipg key', '--name', 'rig "one"'],
  workingDirectory: '/home/a/.config/GridForge',
  logFile: '/home/a/.config/GridForge/logs/worker-service.log',
  user: 'alice',
  ...extra,
})

describe('service files from their templates', () => {
  it('writes a systemd unit that restarts on failure but not on a configuration error', () => {
    const unit = systemdUnit(spec())
    expect(unit).toContain('Restart=on-failure\n')
    expect(unit).toContain('RestartPreventExitStatus=2\n')
    expect(unit).toContain('WantedBy=default.target\n')
    expect(unit).not.toContain('User=')
    expect(unit).toContain(
      'ExecStart="/usr/bin/node" "/opt/gridforge/bin/gridforge.js" "worker" "--api-key-file" "/home/a/aipg key" "--name" "rig \\"one\\""\n',
    )
    const system = systemdUnit(spec({ scope: 'system' }))
    expect(system).toContain('User=alice\n')
    expect(system).toContain('WantedBy=multi-user.target\n')
  })

  it('keeps systemd specifiers and variables literal, and refuses a line break that would start a new directive', () => {
    expect(systemdQuote('100%$HOME\\x')).toBe('"100%%$$HOME\\\\x"')
    expect(() => systemdUnit(spec({ args: ['--name', 'rig\nExecStartPre=/bin/rm'] }))).toThrow(/line break/)
  })

  it('writes a launchd plist kept alive unless it exited cleanly, with every argument XML-escaped', () => {
    const plist = launchdPlist(spec({ args: ['--name', 'a&b <c>'] }))
    expect(plist).toContain('<key>Label</key>\n  <string>io.gridforge.worker</string>')
    expect(plist).toContain('<string>a&amp;b &lt;c&gt;</string>')
    expect(plist).toMatch(/<key>KeepAlive<\/key>\s*<dict>\s*<key>SuccessfulExit<\/key>\s*<false\/>/)
    expect(plist).not.toContain('UserName')
    expect(launchdPlist(spec({ scope: 'system' }))).toContain('<key>UserName</key>\n  <string>alice</string>')
  })

  it('writes a Task Scheduler task that restarts on failure, its arguments quoted as Windows programs split them', () => {
    const task = windowsTask(
      spec({ program: 'C:\\Program Files\\nodejs\\node.exe', args: ['C:\\gf\\bin\\gridforge.js', 'worker', '--name', 'my rig'] }),
    )
    expect(task).toContain('<Command>C:\\Program Files\\nodejs\\node.exe</Command>')
    expect(task).toContain('<Arguments>C:\\gf\\bin\\gridforge.js worker --name &quot;my rig&quot;</Arguments>')
    expect(task).toContain('<RestartOnFailure><Interval>PT1M</Interval><Count>999</Count></RestartOnFailure>')
    expect(task).toContain('<LogonTrigger>')
    expect(windowsTask(spec({ scope: 'system' }))).toContain('<BootTrigger>')
    // CommandLineToArgvW: backslashes are literal unless they precede a quote, which they then escape in pairs.
    expect(windowsQuote('C:\\a b\\')).toBe('"C:\\a b\\\\"')
    expect(windowsQuote('say "hi"')).toBe('"say \\"hi\\""')
    expect(windowsQuote('a\\"b')).toBe('"a\\\\\\"b"')
    expect(windowsQuote('')).toBe('""')
  })
})
