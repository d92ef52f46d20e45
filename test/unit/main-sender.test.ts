// Who may call the main process (sender.ts), and when the dev server's URL counts at all
// (build-mode.ts): our page in the top frame of our window, nothing else, and a dev URL only in
// a development build that is not packaged.
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rendererDevUrl } from '../../electron/main/build-mode';
import { isTrustedSender } from '../../electron/main/sender';
import { ipcEventFrom, StandInWebContents, type StandInFrame } from '../helpers/electron-stand-in';

const INDEX = '/opt/Replication Console/resources/app.asar/out/renderer/index.html';
const INDEX_URL = pathToFileURL(INDEX).href;
const DEV = 'http://localhost:5173/';

function setup(url: string) {
  const contents = new StandInWebContents();
  const top: StandInFrame = { url, parent: null };
  return { contents, window: { webContents: contents }, top };
}

describe('isTrustedSender', () => {
  it('accepts the top frame of our window showing our index.html (a path with a space, percent-encoded in the URL)', () => {
    const { contents, window, top } = setup(INDEX_URL);
    expect(INDEX_URL).toContain('%20');
    expect(isTrustedSender(ipcEventFrom(contents, top), window, INDEX, undefined)).toBe(true);
    // The query and hash a page may carry do not change which file it is.
    expect(isTrustedSender(ipcEventFrom(contents, { url: `${INDEX_URL}?tab=2#x`, parent: null }), window, INDEX, undefined)).toBe(true);
  });

  it('rejects another window, even one showing our file', () => {
    const { window, top } = setup(INDEX_URL);
    const other = new StandInWebContents();
    expect(isTrustedSender(ipcEventFrom(other, top), window, INDEX, undefined)).toBe(false);
  });

  it('rejects every call while there is no window, and an event without a frame (it was disposed)', () => {
    const { contents, window, top } = setup(INDEX_URL);
    expect(isTrustedSender(ipcEventFrom(contents, top), null, INDEX, undefined)).toBe(false);
    expect(isTrustedSender(ipcEventFrom(contents, null), window, INDEX, undefined)).toBe(false);
  });

  it('rejects a subframe of our window, even one loading our own file', () => {
    const { contents, window, top } = setup(INDEX_URL);
    expect(isTrustedSender(ipcEventFrom(contents, { url: INDEX_URL, parent: top }), window, INDEX, undefined)).toBe(false);
  });

  it('rejects another file: URL, a file on another host, and http(s) pages', () => {
    for (const url of [
      pathToFileURL('/opt/Replication Console/resources/app.asar/out/renderer/other.html').href,
      pathToFileURL('/tmp/index.html').href,
      // "../index.html" from the renderer's directory: a file beside it, not ours.
      `${INDEX_URL.replace(/renderer\/index\.html$/, 'renderer/../index.html')}`,
      pathToFileURL('/opt/Replication Console/resources/app.asar/out/index.html').href,
      `file://fileserver${pathToFileURL(INDEX).pathname}`,
      'http://localhost:5173/',
      'https://example.com/index.html',
      'about:blank',
      'not a url',
    ]) {
      const { contents, window } = setup(url);
      expect(isTrustedSender(ipcEventFrom(contents, { url, parent: null }), window, INDEX, undefined), url).toBe(false);
    }
  });

  it('in a development build, accepts the dev server origin only, and no longer our file', () => {
    const dev = setup('http://localhost:5173/#/tab');
    expect(isTrustedSender(ipcEventFrom(dev.contents, dev.top), dev.window, INDEX, DEV)).toBe(true);
    for (const url of ['http://localhost:5174/', 'http://127.0.0.1:5173/', 'https://localhost:5173/', INDEX_URL]) {
      const { contents, window, top } = setup(url);
      expect(isTrustedSender(ipcEventFrom(contents, top), window, INDEX, DEV), url).toBe(false);
    }
  });

  it('in a production build, a page of the dev server is refused even with ELECTRON_RENDERER_URL set', () => {
    const devUrl = rendererDevUrl(false, false, 'http://localhost:5173');
    expect(devUrl).toBeUndefined();
    const { contents, window, top } = setup('http://localhost:5173/');
    expect(isTrustedSender(ipcEventFrom(contents, top), window, INDEX, devUrl)).toBe(false);
  });
});

describe('rendererDevUrl', () => {
  it('follows ELECTRON_RENDERER_URL only in a development build that is not packaged', () => {
    expect(rendererDevUrl(true, false, 'http://localhost:5173')).toBe('http://localhost:5173/');
    expect(rendererDevUrl(false, false, 'http://localhost:5173')).toBeUndefined();
    expect(rendererDevUrl(true, true, 'http://localhost:5173')).toBeUndefined();
    expect(rendererDevUrl(true, false, undefined)).toBeUndefined();
    expect(rendererDevUrl(true, false, '')).toBeUndefined();
  });

  it('takes only an http(s) URL without credentials', () => {
    for (const value of ['file:///tmp/index.html', 'javascript:alert(1)', 'localhost:5173', 'not a url', 'http://user:pw@localhost:5173']) {
      expect(rendererDevUrl(true, false, value), value).toBeUndefined();
    }
    expect(rendererDevUrl(true, false, 'https://127.0.0.1:5173/')).toBe('https://127.0.0.1:5173/');
  });
});
