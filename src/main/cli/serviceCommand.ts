import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, userInfo } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { dataPaths } from '../host/dataDir.js'
import { readGridFlags } from './gridWorkerRun.js'
import { metricsPort } from './metricsFlags.js'
import { resolveModelArgument } from './modelArgument.js'
import { launchdLabel, launchdPlist, systemdUnit, windowsTask, type ServiceSpec } from './serviceUnits.js'
import { UsageError } from './usage.js'
import type { WorkerOptions } from './workerCommand.js'

/** Options of `gridforge service install|uninstall|status worker|serve …`; the rest are the command's own options. */
export interface ServiceOptions extends Partial<Omit<WorkerOptions, 'dataDir' | 'version' | 'engineEntry' | 'resourcesDir'>> {
  dataDir: string
  /** [action, mode]. */
  args: string[]
  /** `system`: a machine service (root/admin) instead of the user's (`user`, the default). */
  scope?: string
  /** Print what would be written and run; write and run nothing. */
  'dry-run'?: boolean
  /** Write under this folder instead of the system's, and run no service manager (tests, packaging). */
  prefix?: string
  host?: string
  port?: string
  token?: string
  api?: boolean
  'api-host'?: string
  'api-port'?: string
  /** The CLI entry the service runs (bin/gridforge.js of this install). */
  cliEntry: string
  platform?: NodeJS.Platform
  /** Runs a service manager command; tests replace it. */
  run?: (command: string[]) => { status: number | null; output: string }
}

/** Where a service lives on this platform and the service manager commands that load, unload and query it. */
interface Placement {
  file: string
  content: string | Buffer
  load: string[][]
  unload: string[][]
  query: string[]
  hint: string | null
}

const ACTIONS = ['install', 'uninstall', 'status'] as const
type Action = (typeof ACTIONS)[number]

/**
 * `gridforge service install|uninstall|status worker|serve [options]`: a systemd unit on Linux (user, or the
 * machine's with --scope system), a launchd agent on macOS, a scheduled task on Windows, that runs `gridforge worker` or
 * `serve` with the given options and restarts it on failure. Keys stay in their files: the unit names the file.
 */
export async function serviceCommand(options: ServiceOptions): Promise<void> {
  const [action, mode] = options.args
  if (!ACTIONS.includes(action as Action)) throw new UsageError('Usage: gridforge service install|uninstall|status worker|serve [options].')
  if (mode !== 'worker' && mode !== 'serve') throw new UsageError(`gridforge service ${action} takes worker or serve.`)
  const spec = serviceSpec(options, mode, action === 'install')
  const placement = place(spec, options.platform ?? process.platform, options.prefix)
  const say = (line: string): void => void process.stdout.write(`${line}\n`)
  const run = options.run ?? runCommand
  const managed = options.prefix === undefined
  const commands = action === 'install' ? placement.load : action === 'uninstall' ? placement.unload : [placement.query]

  if (options['dry-run']) {
    if (action === 'install') say(`Would write ${placement.file}:\n${String(placement.content)}`)
    if (action === 'uninstall') say(`Would remove ${placement.file}`)
    for (const command of commands) say(`Would run: ${command.join(' ')}`)
    return
  }
  if (action === 'status') {
    if (!existsSync(placement.file)) return say(`Not installed (no ${placement.file}).`)
    say(`Installed: ${placement.file}`)
    if (!managed) return say('Not asked of the service manager (--prefix).')
    const answer = run(placement.query)
    return say(`${placement.query.join(' ')}: ${answer.output.trim() || `exit ${answer.status}`}`)
  }
  if (action === 'uninstall') {
    if (managed) for (const command of placement.unload.slice(0, 1)) run(command)
    if (!existsSync(placement.file)) say(`Nothing to remove: ${placement.file} does not exist.`)
    else {
      writeGuarded(placement.file, null, spec.scope)
      say(`Removed ${placement.file}`)
    }
    if (managed) for (const command of placement.unload.slice(1)) run(command)
    return
  }
  writeGuarded(placement.file, placement.content, spec.scope)
  // The service starts in its data folder; the manager refuses to start it in one that does not exist yet.
  mkdirSync(spec.workingDirectory, { recursive: true })
  say(`Wrote ${placement.file}`)
  if (!managed) {
    for (const command of placement.load) say(`Not run (--prefix): ${command.join(' ')}`)
    return
  }
  for (const command of placement.load) {
    const answer = run(command)
    if (answer.status !== 0) {
      throw new UsageError(`${command.join(' ')} failed (${answer.output.trim() || `exit ${answer.status}`}); the file is in place.`)
    }
  }
  say(`The ${mode} runs as a service now and restarts when it fails.${placement.hint ? ` ${placement.hint}` : ''}`)
}

/** What the service runs, checked as the command itself would check it (key file, name, model), without starting it. */
export function serviceSpec(options: ServiceOptions, mode: 'worker' | 'serve', checkArguments: boolean): ServiceSpec {
  if (options.token !== undefined) {
    throw new UsageError('--token would be written into the service file; leave it out (serve prints a fresh one each start).')
  }
  if (options['self-test']) throw new UsageError('--self-test runs once; it is not a service.')
  const dataDir = resolve(options.dataDir)
  const args = [resolve(options.cliEntry), mode, ...(mode === 'worker' ? workerArgs(options, dataDir, checkArguments) : serveArgs(options))]
  args.push('--data-dir', dataDir)
  if (options.scope !== undefined && options.scope !== 'user' && options.scope !== 'system') {
    throw new UsageError('--scope takes user or system.')
  }
  const scope = options.scope === 'system' ? 'system' : 'user'
  return {
    mode,
    scope,
    name: `gridforge-${mode}`,
    description: mode === 'worker' ? 'GridForge grid worker' : 'GridForge headless host and web UI',
    program: process.execPath,
    args,
    workingDirectory: dataDir,
    logFile: join(dataPaths(dataDir).logs, `${mode}-service.log`),
    user: process.env.SUDO_USER || userInfo().username,
  }
}

function workerArgs(options: ServiceOptions, dataDir: string, check: boolean): string[] {
  const workerOptions = { ...options, dataDir, version: '', engineEntry: '', resourcesDir: '' } as WorkerOptions
  if (check) {
    // The same checks `gridforge worker` makes first: a service that would only exit 2 is not installed.
    readGridFlags(workerOptions)
    metricsPort(options['metrics-port'])
  }
  // The service runs the file it was installed with, whatever the models folder holds later.
  const model = check && options.backend === undefined ? resolveModelArgument(options.model, dataPaths(dataDir).models) : options.model
  return [
    ...flag('network', options.network),
    ...flag('grid-url', options['grid-url']),
    ...flag('api-key-file', options['api-key-file'] && resolve(options['api-key-file'])),
    ...flag('model', model),
    ...flag('name', options.name),
    ...flag('slots', options.slots),
    ...flag('max-length', options['max-length']),
    ...flag('max-context', options['max-context']),
    ...flag('threads', options.threads),
    ...flag('backend', options.backend),
    ...flag('backend-url', options['backend-url']),
    ...flag('backend-model', options['backend-model']),
    ...flag('grid-model', options['grid-model']),
    ...flag('backend-key-file', options['backend-key-file'] && resolve(options['backend-key-file'])),
    ...flag('metrics-port', options['metrics-port']),
    ...flag('metrics-host', options['metrics-host']),
  ]
}

function serveArgs(options: ServiceOptions): string[] {
  metricsPort(options['metrics-port'])
  return [
    ...flag('host', options.host),
    ...flag('port', options.port),
    ...flag('threads', options.threads),
    ...(options.api ? ['--api'] : []),
    ...flag('api-host', options['api-host']),
    ...flag('api-port', options['api-port']),
    ...flag('metrics-port', options['metrics-port']),
    ...flag('metrics-host', options['metrics-host']),
  ]
}

function flag(name: string, value: string | undefined): string[] {
  return value === undefined || value === '' ? [] : [`--${name}`, value]
}

/** The file, its content and the service manager's commands on each platform. */
export function place(spec: ServiceSpec, platform: NodeJS.Platform, prefix?: string): Placement {
  const under = (path: string) => (prefix === undefined ? path : join(resolve(prefix), path.replace(/^[a-z]:/i, '')))
  const system = spec.scope === 'system'
  if (platform === 'darwin') {
    const label = launchdLabel(spec)
    const domain = system ? 'system' : `gui/${userInfo().uid}`
    const file = under(system ? `/Library/LaunchDaemons/${label}.plist` : join(homedir(), 'Library', 'LaunchAgents', `${label}.plist`))
    return {
      file,
      content: launchdPlist(spec),
      load: [['launchctl', 'bootstrap', domain, file]],
      unload: [['launchctl', 'bootout', `${domain}/${label}`]],
      query: ['launchctl', 'print', `${domain}/${label}`],
      hint: `Its output goes to ${spec.logFile}.`,
    }
  }
  if (platform === 'win32') {
    const task = `GridForge\\${spec.mode}`
    const base = process.env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local')
    const file = under(join(base, 'GridForge', 'service', `${spec.name}.xml`))
    return {
      file,
      // Task Scheduler reads task XML as UTF-16 (the declaration says so).
      content: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(windowsTask(spec), 'utf16le')]),
      load: [
        ['schtasks', '/Create', '/TN', task, '/XML', file, '/F'],
        ['schtasks', '/Run', '/TN', task],
      ],
      unload: [
        ['schtasks', '/End', '/TN', task],
        ['schtasks', '/Delete', '/TN', task, '/F'],
      ],
      query: ['schtasks', '/Query', '/TN', task],
      hint: null,
    }
  }
  const unit = `${spec.name}.service`
  const user = system ? [] : ['--user']
  const configHome = process.env.XDG_CONFIG_HOME || join(homedir(), '.config')
  const file = under(system ? `/etc/systemd/system/${unit}` : join(configHome, 'systemd', 'user', unit))
  return {
    file,
    content: systemdUnit(spec),
    load: [
      ['systemctl', ...user, 'daemon-reload'],
      ['systemctl', ...user, 'enable', '--now', unit],
    ],
    unload: [
      ['systemctl', ...user, 'disable', '--now', unit],
      ['systemctl', ...user, 'daemon-reload'],
    ],
    query: ['systemctl', ...user, 'is-active', unit],
    hint: system
      ? `Its output is in journalctl -u ${unit}.`
      : `Its output is in journalctl --user -u ${unit}; to keep it running after you log out: loginctl enable-linger ${spec.user}.`,
  }
}

/** Writes (or, with null, removes) a service file; no permission is one sentence saying what to do. */
function writeGuarded(file: string, content: string | Buffer | null, scope: ServiceSpec['scope']): void {
  try {
    if (content === null) rmSync(file, { force: true })
    else {
      mkdirSync(dirname(file), { recursive: true })
      writeFileSync(file, content, { mode: 0o644 })
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EACCES' || code === 'EPERM') {
      throw new UsageError(
        scope === 'system'
          ? `Writing ${file} needs administrator rights: run it with sudo (or as an administrator), or leave out --scope system for a user service.`
          : `Writing ${file} is not permitted for this user; check that folder's owner.`,
      )
    }
    throw new UsageError(`Could not write ${file}: ${(error as Error).message}`)
  }
}

function runCommand(command: string[]): { status: number | null; output: string } {
  const [program, ...args] = command
  const result = spawnSync(program!, args, { encoding: 'utf8', timeout: 30_000 })
  if (result.error) return { status: null, output: `${program} could not be run: ${result.error.message}` }
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}
