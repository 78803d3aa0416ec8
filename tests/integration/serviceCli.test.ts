import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { place, serviceCommand, serviceSpec, type ServiceOptions } from '../../src/main/cli/serviceCommand.js'
import { cliEntry, requireBuild, tempDataDir } from '../support/paths.js'

const temp = tempDataDir()
const prefix = join(temp.dir, 'root')
const keyFile = join(temp.dir, 'aipg key')
const KEY = 'grid_secret_key_never_in_a_unit'
writeFileSync(keyFile, `${KEY}\n`)
afterAll(() => temp.cleanup())

const workerFlags = ['--network', 'aipg', '--api-key-file', keyFile, '--model', 'stories260K', '--name', 'rig 100%', '--slots', '2']

function gridforge(...args: string[]): { code: number | null; out: string; err: string } {
  requireBuild()
  const run = spawnSync(process.execPath, [cliEntry, 'service', ...args, '--data-dir', temp.dir], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CONFIG_HOME: '/home/rig/.config' },
  })
  return { code: run.status, out: run.stdout, err: run.stderr }
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

/** Runs a check in a tool the machine may lack; null (with one line) when it is missing. */
function tool(command: string, args: string[]): { status: number | null; output: string } | null {
  const run = spawnSync(command, args, { encoding: 'utf8' })
  if (run.error) {
    process.stdout.write(`skipped: ${command} is not installed here\n`)
    return null
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}` }
}

describe('gridforge service', () => {
  it('prints the unit and the commands with --dry-run, and writes nothing', () => {
    const run = gridforge('install', 'worker', ...workerFlags, '--dry-run', '--prefix', prefix)
    expect(run.code).toBe(0)
    expect(run.out).toContain(`Would write ${join(prefix, '/home/rig/.config/systemd/user/gridforge-worker.service')}:`)
    expect(run.out).toContain('Restart=on-failure')
    expect(run.out).toContain('Would run: systemctl --user enable --now gridforge-worker.service')
    expect(filesUnder(prefix)).toEqual([])
  })

  it('installs a systemd user unit into a prefix that systemd-analyze accepts, names the key file but not the key, and removes it', () => {
    const installed = gridforge('install', 'worker', ...workerFlags, '--prefix', prefix)
    expect(installed.code).toBe(0)
    const file = join(prefix, '/home/rig/.config/systemd/user/gridforge-worker.service')
    expect(filesUnder(prefix)).toEqual([file])
    expect(installed.out).toContain('Not run (--prefix): systemctl --user daemon-reload')
    const unit = readFileSync(file, 'utf8')
    expect(unit).not.toContain(KEY)
    expect(unit).toContain(`"--api-key-file" "${keyFile}"`)
    // The model id is resolved to its file now; % is doubled so systemd does not read it as a specifier.
    expect(unit).toContain(`"--model" "${temp.model}" "--name" "rig 100%%" "--slots" "2"`)
    expect(unit).toContain(`"--data-dir" "${temp.dir}"`)

    const checkDir = mkdtempSync(join(tmpdir(), 'gridforge-unit-'))
    try {
      copyFileSync(file, join(checkDir, 'gridforge-worker.service'))
      const verified = tool('systemd-analyze', ['verify', join(checkDir, 'gridforge-worker.service')])
      if (verified) expect(verified, verified.output).toMatchObject({ status: 0 })
    } finally {
      rmSync(checkDir, { recursive: true, force: true })
    }

    expect(gridforge('status', 'worker', '--prefix', prefix).out).toContain(`Installed: ${file}`)
    const removed = gridforge('uninstall', 'worker', '--prefix', prefix)
    expect(removed.out).toContain(`Removed ${file}`)
    expect(existsSync(file)).toBe(false)
    expect(gridforge('status', 'worker', '--prefix', prefix).out).toContain('Not installed')
  })

  it('refuses in one sentence what the worker would refuse, and a token that would land in the file', () => {
    const noKey = gridforge('install', 'worker', '--network', 'aipg', '--model', 'stories260K', '--name', 'r', '--prefix', prefix)
    expect(noKey.code).toBe(2)
    expect(noKey.err).toBe('gridforge: --api-key-file F is required (a file holding only your API key).\n')
    const noModel = gridforge('install', 'worker', ...workerFlags.slice(0, 4), '--model', 'missing', '--name', 'r', '--prefix', prefix)
    expect(noModel.code).toBe(2)
    expect(noModel.err).toMatch(/^gridforge: No model file "missing"/)
    const token = gridforge('install', 'serve', '--token', 'a-token-of-sixteen-chars', '--prefix', prefix)
    expect(token.code).toBe(2)
    expect(token.err).toContain('--token would be written into the service file')
    expect(gridforge('install', 'miner', '--prefix', prefix).err).toBe('gridforge: gridforge service install takes worker or serve.\n')
    expect(filesUnder(prefix)).toEqual([])
  })

  it('runs the service manager outside a prefix, and says which command failed', async () => {
    const ran: string[][] = []
    const options: ServiceOptions = {
      dataDir: temp.dir,
      args: ['install', 'serve'],
      port: '5199',
      cliEntry: '/opt/gridforge/bin/gridforge.js',
      platform: 'linux',
      run: (command) => (
        ran.push(command),
        command.includes('enable') ? { status: 1, output: 'Failed to connect to bus' } : { status: 0, output: '' }
      ),
    }
    const home = mkdtempSync(join(tmpdir(), 'gridforge-home-'))
    vi.stubEnv('XDG_CONFIG_HOME', home)
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      await expect(serviceCommand(options)).rejects.toThrow(
        'systemctl --user enable --now gridforge-serve.service failed (Failed to connect to bus); the file is in place.',
      )
      expect(ran).toEqual([
        ['systemctl', '--user', 'daemon-reload'],
        ['systemctl', '--user', 'enable', '--now', 'gridforge-serve.service'],
      ])
      expect(readFileSync(join(home, 'systemd', 'user', 'gridforge-serve.service'), 'utf8')).toContain('"serve" "--port" "5199"')
    } finally {
      write.mockRestore()
      vi.unstubAllEnvs()
      rmSync(home, { recursive: true, force: true })
    }
  })

  it('writes a launchd plist and a Task Scheduler task that their formats parse', async () => {
    const base: ServiceOptions = {
      dataDir: temp.dir,
      args: ['install', 'worker'],
      network: 'aipg',
      'api-key-file': keyFile,
      model: 'stories260K',
      name: 'rig & <one>',
      cliEntry: '/opt/gridforge/bin/gridforge.js',
      prefix,
    }
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      for (const platform of ['darwin', 'win32'] as const) await serviceCommand({ ...base, platform })
    } finally {
      write.mockRestore()
    }
    const spec = serviceSpec(base, 'worker', false)
    const plist = place(spec, 'darwin', prefix).file
    const task = place(spec, 'win32', prefix).file
    expect(readFileSync(plist, 'utf8')).not.toContain(KEY)
    expect(readFileSync(task).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]))
    const parsed = tool('python3', [
      '-c',
      [
        'import json, plistlib, sys, xml.etree.ElementTree as ET',
        'p = plistlib.load(open(sys.argv[1], "rb"))',
        'ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}',
        'root = ET.fromstring(open(sys.argv[2], encoding="utf-16").read().replace(\'encoding="UTF-16"\', ""))',
        'print(json.dumps({"label": p["Label"], "args": p["ProgramArguments"], "keepAlive": p["KeepAlive"],',
        '  "command": root.find("t:Actions/t:Exec/t:Command", ns).text, "arguments": root.find("t:Actions/t:Exec/t:Arguments", ns).text,',
        '  "restart": root.find("t:Settings/t:RestartOnFailure/t:Count", ns).text}))',
      ].join('\n'),
      plist,
      task,
    ])
    if (!parsed) return
    expect(parsed.status, parsed.output).toBe(0)
    const read = JSON.parse(parsed.output) as Record<string, unknown>
    expect(read).toMatchObject({
      label: 'io.gridforge.worker',
      keepAlive: { SuccessfulExit: false },
      command: process.execPath,
      restart: '999',
    })
    expect(read.args).toEqual([process.execPath, '/opt/gridforge/bin/gridforge.js', 'worker', ...(read.args as string[]).slice(3)])
    expect(read.args).toContain('rig & <one>')
    expect(read.arguments).toContain('--name "rig & <one>"')
  })
})
