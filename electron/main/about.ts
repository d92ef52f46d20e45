// The About panel: the name and version on every platform, plus what each platform's panel can
// show (credits on macOS and Windows; the website on Linux, whose GTK dialog shows only what
// it is given).
import type { AboutPanelOptionsOptions } from 'electron';

export const APP_NAME = 'Replication Console';

const CREDITS = 'Redis and Valkey replication: topology, lag and safe re-pointing. MIT License.';

/** The About panel's options for `platform`; `version` is app.getVersion() (package.json's). */
export function aboutPanelOptions(platform: NodeJS.Platform, version: string, website: string | null): AboutPanelOptionsOptions {
  const options: AboutPanelOptionsOptions = {
    applicationName: APP_NAME,
    applicationVersion: version,
    copyright: `Copyright © ${APP_NAME} contributors`,
  };
  if (platform === 'darwin' || platform === 'win32') options.credits = CREDITS;
  if (platform === 'linux' && website) options.website = website;
  return options;
}
