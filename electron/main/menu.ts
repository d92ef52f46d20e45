// The application menu: the roles every desktop app has (the Edit roles are what make copy and
// paste work in text fields on macOS), built from a pure function of the platform, the build and
// two actions, so each platform's menu can be read and tested without Electron.
import type { Menu, MenuItemConstructorOptions } from 'electron';
import { APP_NAME } from './about';

/** What the menu's own (non-role) items do. */
export interface MenuHandlers {
  /** Show the About panel (Help menu on Windows and Linux; macOS has the app menu's About). */
  showAbout(): void;
  /** Open the documentation in the browser; the item is left out when there is none. */
  openDocs: (() => void) | null;
}

const separator: MenuItemConstructorOptions = { type: 'separator' };

/**
 * The menu for `platform`. Reload and the developer tools exist only in a development build: in
 * production a stray Ctrl+R would throw away every tab's state, and the tools are not for users.
 */
export function menuTemplate(platform: NodeJS.Platform, devBuild: boolean, handlers: MenuHandlers): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: APP_NAME,
      submenu: [
        { role: 'about' },
        separator,
        { role: 'services' },
        separator,
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        separator,
        { role: 'quit' },
      ],
    });
  }
  template.push({ label: 'File', submenu: mac ? [{ role: 'close' }] : [{ role: 'close' }, separator, { role: 'quit' }] });
  template.push({
    label: 'Edit',
    submenu: [{ role: 'undo' }, { role: 'redo' }, separator, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
  });
  const developer: MenuItemConstructorOptions[] = devBuild ? [{ role: 'reload' }, { role: 'toggleDevTools' }, separator] : [];
  template.push({
    label: 'View',
    submenu: [...developer, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, separator, { role: 'togglefullscreen' }],
  });
  template.push({
    // role 'window' lets macOS add its list of open windows.
    label: 'Window',
    role: 'window',
    submenu: mac ? [{ role: 'minimize' }, { role: 'zoom' }, separator, { role: 'front' }] : [{ role: 'minimize' }, { role: 'zoom' }, { role: 'close' }],
  });
  const help: MenuItemConstructorOptions[] = [];
  if (handlers.openDocs) {
    const openDocs = handlers.openDocs;
    help.push({ label: 'Documentation', click: () => openDocs() });
  }
  if (!mac) {
    if (help.length > 0) help.push(separator);
    help.push({ label: `About ${APP_NAME}`, click: () => handlers.showAbout() });
  }
  // role 'help' gives macOS's menu search field.
  if (help.length > 0) template.push({ label: 'Help', role: 'help', submenu: help });
  return template;
}

/** Build the template with Electron's Menu and make it the application menu. */
export function installMenu(menu: Pick<typeof Menu, 'buildFromTemplate' | 'setApplicationMenu'>, template: MenuItemConstructorOptions[]): void {
  menu.setApplicationMenu(menu.buildFromTemplate(template));
}
