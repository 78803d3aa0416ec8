import type { MenuItemConstructorOptions } from 'electron'

/** The project's home page (Help → GridForge website). */
export const WEBSITE_URL = 'https://aipowergrid.io/'

/** What the menu items do; injected so the template is plain data a test can read. */
export interface MenuActions {
  openLogsFolder(): void
  openWebsite(): void
  checkForUpdates(): void
  quit(): void
}

/**
 * The application menu. Reload and developer tools only exist in development: in a packaged app a
 * reload would drop streaming replies and devtools would expose the renderer to anyone at the PC.
 */
export function appMenuTemplate(options: {
  isPackaged: boolean
  platform: NodeJS.Platform
  appName: string
  actions: MenuActions
}): MenuItemConstructorOptions[] {
  const { isPackaged, platform, appName, actions } = options
  const mac = platform === 'darwin'
  const openLogs: MenuItemConstructorOptions = { label: 'Open Logs Folder', click: () => actions.openLogsFolder() }
  const quit: MenuItemConstructorOptions = {
    label: mac ? `Quit ${appName}` : 'Quit',
    accelerator: 'CmdOrCtrl+Q',
    click: () => actions.quit(),
  }
  const checkForUpdates: MenuItemConstructorOptions = {
    label: 'Check for Updates…',
    click: () => actions.checkForUpdates(),
  }

  const appMenu: MenuItemConstructorOptions[] = mac
    ? [
        {
          label: appName,
          submenu: [
            { role: 'about' },
            checkForUpdates,
            { type: 'separator' },
            { role: 'services' },
            { type: 'separator' },
            { role: 'hide' },
            { role: 'hideOthers' },
            { role: 'unhide' },
            { type: 'separator' },
            quit,
          ],
        },
      ]
    : []
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: mac ? [openLogs, { type: 'separator' }, { role: 'close' }] : [openLogs, { type: 'separator' }, quit],
  }
  const edit: MenuItemConstructorOptions = {
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(mac ? [{ role: 'pasteAndMatchStyle' } as const] : []),
      { role: 'delete' },
      { type: 'separator' },
      { role: 'selectAll' },
    ],
  }
  const developer: MenuItemConstructorOptions[] = isPackaged
    ? []
    : [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }]
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      ...developer,
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  }
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [{ label: 'GridForge Website', click: () => actions.openWebsite() }, ...(mac ? [] : [checkForUpdates]), openLogs],
  }
  return [...appMenu, file, edit, view, ...(mac ? [{ role: 'windowMenu' } as const] : []), help]
}
