// A GET over plain HTTP, for the tests that read serve's /metrics or API from a process of its own.
import { request } from 'node:http';

/** The body of a GET of `url` (whatever its status). */
export function getText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}
