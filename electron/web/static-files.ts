// Serves the built renderer (out/renderer) read-only: GET and HEAD, no directory listings,
// nothing outside the root, and the page's own Content-Security-Policy as a header.
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** Used when index.html carries no CSP of its own (it should). */
export const DEFAULT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

/** The content of `<meta http-equiv="Content-Security-Policy" content="…">`, if the page has one. */
export function cspFromHtml(html: string): string | null {
  for (const tag of html.match(/<meta\b[^>]*>/gi) ?? []) {
    const attrs = new Map<string, string>();
    for (const m of tag.matchAll(/([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      attrs.set((m[1] ?? '').toLowerCase(), m[2] ?? m[3] ?? '');
    }
    if (attrs.get('http-equiv')?.toLowerCase() === 'content-security-policy') {
      const content = attrs.get('content')?.replace(/&#39;|&apos;/g, "'").replace(/&quot;/g, '"').trim();
      if (content) return content;
    }
  }
  return null;
}

export class StaticFiles {
  readonly #root: string;
  #csp: string | null = null;

  constructor(root: string) {
    this.#root = resolve(root);
  }

  /** The CSP header: the page's policy, plus `frame-ancestors 'none'`, which a meta tag cannot set. */
  async csp(): Promise<string> {
    if (this.#csp) return this.#csp;
    let policy = DEFAULT_CSP;
    try {
      policy = cspFromHtml(await readFile(join(this.#root, 'index.html'), 'utf8')) ?? DEFAULT_CSP;
      this.#csp = withFrameAncestors(policy);
    } catch {
      // Not built yet: don't cache, the build may land while we run.
    }
    return withFrameAncestors(policy);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const csp = await this.csp();
    const baseHeaders = {
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      // The page URL carries the session token: never leak it in a Referer.
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
    };
    const fail = (status: number, text: string): void => {
      res.writeHead(status, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : `${text}\n`);
    };

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      fail(405, 'Method not allowed');
      return;
    }
    const file = await this.#resolve(req.url ?? '/');
    if (file === 'bad') {
      fail(400, 'Bad request');
      return;
    }
    if (file === null) {
      const built = await isFile(join(this.#root, 'index.html'));
      if (built) fail(404, 'Not found');
      else fail(503, 'The web console has not been built: start it with `npm run web` or `replication-console serve` in a checkout with its build tools (`npm ci`); both build it first.');
      return;
    }
    const info = await stat(file);
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, {
      ...baseHeaders,
      'Content-Type': type,
      'Content-Length': info.size,
      // Built assets carry a content hash in their names; the page itself must always be fresh.
      'Cache-Control': type.startsWith('text/html') ? 'no-store' : 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  /** The file a URL names, null when there is none, 'bad' for a malformed or escaping path. */
  async #resolve(url: string): Promise<string | null | 'bad'> {
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(url, 'http://localhost').pathname);
    } catch {
      return 'bad';
    }
    if (pathname.includes('\0') || pathname.includes('\\')) return 'bad';
    if (pathname.endsWith('/')) pathname += 'index.html';
    const candidate = resolve(this.#root, `.${pathname}`);
    if (!candidate.startsWith(this.#root + sep)) return 'bad';
    if (!(await isFile(candidate))) return null;
    // A symlink inside the root must not lead out of it.
    try {
      const [real, realRoot] = await Promise.all([realpath(candidate), realpath(this.#root)]);
      if (!real.startsWith(realRoot + sep)) return 'bad';
      return real;
    } catch {
      return null;
    }
  }
}

function withFrameAncestors(policy: string): string {
  return /(^|;)\s*frame-ancestors\b/.test(policy) ? policy : `${policy.replace(/;\s*$/, '')}; frame-ancestors 'none'`;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
