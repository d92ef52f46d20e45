// Development or production is decided when main is bundled, not when it runs: `electron-vite
// dev` bundles it in development mode, `electron-vite build` in production mode, and Vite writes
// the answer into the bundle as a literal. A production build started unpackaged (`electron .`)
// is still production, so nothing a shell exports can point it at another page.

/** True only in a bundle made by `electron-vite dev` (and under vitest, which runs sources). */
export const DEV_BUILD: boolean = import.meta.env.DEV === true;

/**
 * The dev server's URL to load instead of our own files: only in a development build that is not
 * packaged, and only an http(s) URL. Anything else (a production build, a packaged app, a file:
 * or other URL) gets undefined, and the app loads its bundled index.html.
 */
export function rendererDevUrl(devBuild: boolean, packaged: boolean, value: string | undefined): string | undefined {
  if (!devBuild || packaged || !value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password) return undefined;
  return url.href;
}
