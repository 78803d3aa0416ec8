/** Where Ubuntu 23.10+ says whether AppArmor keeps unprivileged programs from making user namespaces. */
export const USERNS_RESTRICTION_FILE = '/proc/sys/kernel/apparmor_restrict_unprivileged_userns'

/**
 * The note for an AppImage started without Chromium's sandbox. On Ubuntu 24.04 and later AppArmor
 * refuses the user namespaces the sandbox needs to unprivileged programs that have no AppArmor profile,
 * which an AppImage (mounted at a new path each run) cannot have: it stops at start unless run with
 * `--no-sandbox`, and then the window runs unsandboxed. The .deb installs a profile and a setuid sandbox
 * helper, so it starts sandboxed. Null when none of this applies.
 */
export function appImageSandboxNote(input: {
  platform: NodeJS.Platform
  env: NodeJS.ProcessEnv
  /** The restriction file's content, or null when it does not exist (other distributions). */
  usernsRestriction: string | null
  /** Chromium's `--no-sandbox` switch is on for this run. */
  noSandbox: boolean
}): string | null {
  if (input.platform !== 'linux' || !input.env.APPIMAGE) return null
  if (!input.noSandbox || input.usernsRestriction?.trim() !== '1') return null
  return "This AppImage runs without Chromium's sandbox because AppArmor on this system (Ubuntu 24.04 and later) blocks it; install the .deb from the releases page, which keeps the sandbox."
}
