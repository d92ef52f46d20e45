// The application menu per platform (menu.ts) and the About panel's options (about.ts).
import type { MenuItemConstructorOptions } from 'electron';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { aboutPanelOptions, APP_NAME } from '../../electron/main/about';
import { installMenu, menuTemplate, type MenuHandlers } from '../../electron/main/menu';

const PLATFORMS = ['darwin', 'win32', 'linux'] as const;

function handlers(): MenuHandlers & { about: number; docs: number } {
  const h = {
    about: 0,
    docs: 0,
    showAbout: () => {
      h.about++;
    },
    openDocs: () => {
      h.docs++;
    },
  };
  return h;
}

/** Each top-level menu as "Label: role role …", items without a role by label, separators as "|". */
function outline(template: MenuItemConstructorOptions[]): string[] {
  return template.map((menu) => {
    const items = (menu.submenu as MenuItemConstructorOptions[]).map((item) => (item.type === 'separator' ? '|' : (item.role ?? `"${item.label}"`)));
    return `${menu.label}: ${items.join(' ')}`;
  });
}

function item(template: MenuItemConstructorOptions[], menu: string, label: string): MenuItemConstructorOptions {
  const found = (template.find((m) => m.label === menu)?.submenu as MenuItemConstructorOptions[] | undefined)?.find((i) => i.label === label);
  if (!found) throw new Error(`no ${menu} > ${label}`);
  return found;
}

describe('menuTemplate', () => {
  it('macOS: the app menu with its roles, Edit roles for text fields, Window with front, Help with the docs only', () => {
    expect(outline(menuTemplate('darwin', false, handlers()))).toEqual([
      `${APP_NAME}: about | services | hide hideOthers unhide | quit`,
      'File: close',
      'Edit: undo redo | cut copy paste selectAll',
      'View: resetZoom zoomIn zoomOut | togglefullscreen',
      'Window: minimize zoom | front',
      'Help: "Documentation"',
    ]);
  });

  for (const platform of ['win32', 'linux'] as const) {
    it(`${platform}: no app menu; File has quit; Help has About`, () => {
      expect(outline(menuTemplate(platform, false, handlers()))).toEqual([
        'File: close | quit',
        'Edit: undo redo | cut copy paste selectAll',
        'View: resetZoom zoomIn zoomOut | togglefullscreen',
        'Window: minimize zoom close',
        `Help: "Documentation" | "About ${APP_NAME}"`,
      ]);
    });
  }

  it('reload and the developer tools exist in a development build only, on every platform', () => {
    for (const platform of PLATFORMS) {
      const dev = menuTemplate(platform, true, handlers());
      const prod = menuTemplate(platform, false, handlers());
      expect(outline(dev).find((m) => m.startsWith('View:'))).toBe('View: reload toggleDevTools | resetZoom zoomIn zoomOut | togglefullscreen');
      const roles = JSON.stringify(prod);
      expect(roles).not.toMatch(/"reload"|"forceReload"|"toggleDevTools"/);
      // Everything else is the same in both builds.
      expect(outline(dev).filter((m) => !m.startsWith('View:'))).toEqual(outline(prod).filter((m) => !m.startsWith('View:')));
    }
  });

  it('the Window and Help menus carry their roles, so macOS adds the window list and the search field', () => {
    const template = menuTemplate('darwin', false, handlers());
    expect(template.find((m) => m.label === 'Window')?.role).toBe('window');
    expect(template.find((m) => m.label === 'Help')?.role).toBe('help');
  });

  it("About (Windows, Linux) shows the About panel; Documentation opens the docs", () => {
    for (const platform of ['win32', 'linux'] as const) {
      const h = handlers();
      const template = menuTemplate(platform, false, h);
      const click = (label: string) => (item(template, 'Help', label).click as () => void)();
      click(`About ${APP_NAME}`);
      expect(h).toMatchObject({ about: 1, docs: 0 });
      click('Documentation');
      expect(h).toMatchObject({ about: 1, docs: 1 });
    }
  });

  it('without a docs URL, no Documentation item: Help keeps About on Windows/Linux and is left out on macOS', () => {
    const none = { showAbout: () => undefined, openDocs: null };
    expect(outline(menuTemplate('linux', false, none)).at(-1)).toBe(`Help: "About ${APP_NAME}"`);
    expect(outline(menuTemplate('darwin', false, none)).map((m) => m.split(':')[0])).toEqual([APP_NAME, 'File', 'Edit', 'View', 'Window']);
  });

  it('installMenu builds the template with Menu.buildFromTemplate and makes it the application menu', () => {
    const template = menuTemplate('linux', false, handlers());
    const set: unknown[] = [];
    installMenu({ buildFromTemplate: (t) => ({ built: t }) as never, setApplicationMenu: (menu) => set.push(menu) }, template);
    expect(set).toEqual([{ built: template }]);
  });
});

describe('aboutPanelOptions', () => {
  const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

  it("carries the name and package.json's version on every platform", () => {
    for (const platform of PLATFORMS) {
      expect(aboutPanelOptions(platform, version, null)).toMatchObject({ applicationName: APP_NAME, applicationVersion: version, copyright: expect.stringContaining(APP_NAME) });
    }
  });

  it('gives each platform only the fields its panel shows: credits on macOS and Windows, the website on Linux', () => {
    const site = 'https://example.org/replication-console';
    expect(Object.keys(aboutPanelOptions('darwin', version, site)).sort()).toEqual(['applicationName', 'applicationVersion', 'copyright', 'credits']);
    expect(Object.keys(aboutPanelOptions('win32', version, site)).sort()).toEqual(['applicationName', 'applicationVersion', 'copyright', 'credits']);
    expect(aboutPanelOptions('linux', version, site)).toEqual({ applicationName: APP_NAME, applicationVersion: version, copyright: expect.any(String), website: site });
    expect(aboutPanelOptions('linux', version, null)).not.toHaveProperty('website');
  });
});
