// The browser's notifications for alerts, in the web mode only: off until the user clicks
// "Enable notifications" (the permission is asked then, never on load), remembered in the
// page's storage. In the desktop app the main process notifies (electron/main/notifications.ts),
// so this page never does: two notifications for one incident would be noise.
import { alertTitle } from '../../../electron/shared/alert-labels';
import type { Alert } from '../../../electron/shared/types';
import { browserStorage } from '../lib/storage';
import type { AlertNotifier } from './alerts-state.svelte';
import type { StorageLike } from './recent-connections.svelte';

export const NOTIFICATIONS_STORAGE_KEY = 'replication-console.notifications.v1';

/** Who notifies in this window: the desktop app's main process, this page (web mode), or nobody (no Notification API). */
export type NotificationMode = 'desktop' | 'web' | 'unsupported';
export type Permission = 'default' | 'granted' | 'denied';

/** The parts of the browser's Notification used here. */
export interface NotificationLike {
  onclick: ((event: unknown) => void) | null;
  close(): void;
}
export interface NotificationApi {
  new (title: string, options: { body: string; tag: string }): NotificationLike;
  readonly permission: Permission;
  requestPermission(): Promise<Permission>;
}

export interface NotificationEnv {
  /** True inside the desktop app (its preload set the bridge). */
  desktop: boolean;
  Notification: NotificationApi | null;
  storage: StorageLike | null;
  /** Bring the console's window to the front (a notification was clicked). */
  focus(): void;
}

export class WebNotifications implements AlertNotifier {
  readonly mode: NotificationMode;
  permission = $state<Permission>('default');
  /** What the user chose here (remembered); the permission must be granted too. */
  enabled = $state(false);
  readonly #env: NotificationEnv;

  constructor(env: NotificationEnv) {
    this.#env = env;
    this.mode = env.desktop ? 'desktop' : env.Notification ? 'web' : 'unsupported';
    if (this.mode !== 'web') return;
    this.permission = env.Notification?.permission ?? 'default';
    try {
      this.enabled = env.storage?.getItem(NOTIFICATIONS_STORAGE_KEY) === 'on';
    } catch {
      // Unreadable storage: off, as if never chosen.
    }
  }

  /** Whether an incident that starts firing is notified by this page. */
  get active(): boolean {
    return this.mode === 'web' && this.enabled && this.permission === 'granted';
  }

  /** The user's click: ask for the permission (the browser asks only on a gesture), then remember the choice. */
  async enable(): Promise<void> {
    const api = this.#env.Notification;
    if (this.mode !== 'web' || !api) return;
    try {
      this.permission = api.permission === 'granted' ? 'granted' : await api.requestPermission();
    } catch {
      this.permission = api.permission;
    }
    this.#remember(this.permission === 'granted');
  }

  disable(): void {
    this.#remember(false);
  }

  notify(alert: Alert): void {
    const api = this.#env.Notification;
    if (!this.active || !api) return;
    try {
      // The tag is the incident: the browser replaces rather than stacks one shown twice.
      const shown = new api(alertTitle(alert), { body: alert.message, tag: alert.id });
      shown.onclick = () => {
        this.#env.focus();
        shown.close();
      };
    } catch {
      // A browser that refuses page notifications (some mobile ones throw): the panel still lists it.
    }
  }

  #remember(on: boolean): void {
    this.enabled = on;
    try {
      if (on) this.#env.storage?.setItem(NOTIFICATIONS_STORAGE_KEY, 'on');
      else this.#env.storage?.removeItem(NOTIFICATIONS_STORAGE_KEY);
    } catch {
      // Not remembered across reloads; on for this page all the same.
    }
  }
}

let shared: WebNotifications | null = null;

/** This window's notifier, made on first use from the page (one for every tab: the permission is the page's). */
export function windowNotifications(): WebNotifications {
  shared ??= new WebNotifications(pageEnv());
  return shared;
}

function pageEnv(): NotificationEnv {
  const page = (globalThis as unknown as { window?: { replicationConsole?: unknown; Notification?: NotificationApi; focus?: () => void } }).window;
  return {
    // As renderer/src/api/index.ts decides which bridge to use: the preload's is there only in the app.
    desktop: page?.replicationConsole !== undefined,
    Notification: page?.Notification ?? null,
    storage: browserStorage(),
    focus: () => page?.focus?.(),
  };
}
