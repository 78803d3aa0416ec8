import { UsageError } from './usage.js'

/** What runs as the service: `gridforge worker …` or `gridforge serve …`, restarted when it fails. */
export interface ServiceSpec {
  mode: 'worker' | 'serve'
  /** A user's service (starts at login) or the machine's (starts at boot, as `user`). */
  scope: 'user' | 'system'
  /** The unit's, agent's or task's name: `gridforge-worker`. */
  name: string
  description: string
  /** The executable (Node) and its arguments (the CLI entry, the command, its options); never a secret, only paths to them. */
  program: string
  args: string[]
  workingDirectory: string
  /** Where launchd writes the output (systemd has the journal; a scheduled task keeps none). */
  logFile: string
  /** The account a system service runs as. */
  user: string
}

/**
 * Exit code 2 is a configuration error (a refused key, a missing model file): restarting would only repeat it,
 * so every service manager is told not to.
 */
export const CONFIG_ERROR_EXIT = 2
/** Jobs in flight finish on SIGTERM (the worker's graceful stop); the grid gives a job a few minutes at most. */
const STOP_TIMEOUT_S = 120

/** A systemd unit (`systemctl --user` or the system's), `Restart=on-failure`. */
export function systemdUnit(spec: ServiceSpec): string {
  const lines = [
    '[Unit]',
    `Description=${oneLine(spec.description)}`,
    'Wants=network-online.target',
    'After=network-online.target',
    // A rig that keeps failing is left alone after 5 tries in 10 minutes, not restarted forever.
    'StartLimitIntervalSec=600',
    'StartLimitBurst=5',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${[spec.program, ...spec.args].map(systemdQuote).join(' ')}`,
    // A path, not a command line: systemd takes it unquoted, resolving only specifiers.
    `WorkingDirectory=${oneLine(spec.workingDirectory).replace(/%/g, '%%')}`,
    ...(spec.scope === 'system' ? [`User=${oneLine(spec.user)}`] : []),
    'Restart=on-failure',
    'RestartSec=10',
    `RestartPreventExitStatus=${CONFIG_ERROR_EXIT}`,
    'KillSignal=SIGTERM',
    `TimeoutStopSec=${STOP_TIMEOUT_S}`,
    '',
    '[Install]',
    `WantedBy=${spec.scope === 'system' ? 'multi-user.target' : 'default.target'}`,
    '',
  ]
  return lines.join('\n')
}

/** A launchd agent (or daemon) plist: started at load, kept alive unless it exited cleanly. */
export function launchdPlist(spec: ServiceSpec): string {
  const string = (value: string) => `<string>${xmlEscape(value)}</string>`
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    '  <key>Label</key>',
    `  ${string(launchdLabel(spec))}`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...[spec.program, ...spec.args].map((arg) => `    ${string(arg)}`),
    '  </array>',
    '  <key>WorkingDirectory</key>',
    `  ${string(spec.workingDirectory)}`,
    ...(spec.scope === 'system' ? ['  <key>UserName</key>', `  ${string(spec.user)}`] : []),
    '  <key>RunAtLoad</key>',
    '  <true/>',
    '  <key>KeepAlive</key>',
    '  <dict>',
    '    <key>SuccessfulExit</key>',
    '    <false/>',
    '  </dict>',
    '  <key>ThrottleInterval</key>',
    '  <integer>10</integer>',
    '  <key>ExitTimeOut</key>',
    `  <integer>${STOP_TIMEOUT_S}</integer>`,
    '  <key>StandardOutPath</key>',
    `  ${string(spec.logFile)}`,
    '  <key>StandardErrorPath</key>',
    `  ${string(spec.logFile)}`,
    '</dict>',
    '</plist>',
    '',
  ]
  return lines.join('\n')
}

/** A Task Scheduler task (schtasks /Create /XML): at logon (or boot), restarted every minute on failure. */
export function windowsTask(spec: ServiceSpec): string {
  const trigger =
    spec.scope === 'system' ? '<BootTrigger><Enabled>true</Enabled></BootTrigger>' : '<LogonTrigger><Enabled>true</Enabled></LogonTrigger>'
  // SYSTEM's well-known SID for a machine task; a user task runs as whoever logs on.
  const principal =
    spec.scope === 'system'
      ? '<UserId>S-1-5-18</UserId><RunLevel>LeastPrivilege</RunLevel>'
      : '<LogonType>InteractiveToken</LogonType><RunLevel>LeastPrivilege</RunLevel>'
  const lines = [
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    `  <RegistrationInfo><Description>${xmlEscape(oneLine(spec.description))}</Description></RegistrationInfo>`,
    `  <Triggers>${trigger}</Triggers>`,
    `  <Principals><Principal id="Author">${principal}</Principal></Principals>`,
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    '    <StartWhenAvailable>true</StartWhenAvailable>',
    '    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>',
    '    <IdleSettings><StopOnIdleEnd>false</StopOnIdleEnd><RestartOnIdle>false</RestartOnIdle></IdleSettings>',
    '    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>',
    '    <RestartOnFailure><Interval>PT1M</Interval><Count>999</Count></RestartOnFailure>',
    '  </Settings>',
    '  <Actions Context="Author">',
    '    <Exec>',
    `      <Command>${xmlEscape(spec.program)}</Command>`,
    `      <Arguments>${xmlEscape(spec.args.map(windowsQuote).join(' '))}</Arguments>`,
    `      <WorkingDirectory>${xmlEscape(spec.workingDirectory)}</WorkingDirectory>`,
    '    </Exec>',
    '  </Actions>',
    '</Task>',
    '',
  ]
  return lines.join('\r\n')
}

/** `io.gridforge.worker`: launchd labels are reverse-DNS. */
export function launchdLabel(spec: Pick<ServiceSpec, 'name'>): string {
  return `io.gridforge.${spec.name.replace(/^gridforge-/, '')}`
}

/**
 * One systemd word: double-quoted with C escapes; `%` is a specifier and `$` a variable to systemd, so both are
 * doubled (systemd.service "Command lines", systemd.unit "Specifiers").
 */
export function systemdQuote(arg: string): string {
  const escaped = oneLine(arg).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')
  return `"${escaped}"`
}

/** One argument as Windows programs split their command line (CommandLineToArgvW): quotes, and backslashes before them doubled. */
export function windowsQuote(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg
  return `"${oneLine(arg)
    .replace(/(\\*)"/g, '$1$1\\"')
    .replace(/(\\+)$/, '$1$1')}"`
}

function xmlEscape(value: string): string {
  return oneLine(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** Service files are line-based: a line break inside a value would start a new directive. */
function oneLine(value: string): string {
  if (/[\r\n\0]/.test(value)) throw new UsageError('A service option cannot contain a line break.')
  return value
}
