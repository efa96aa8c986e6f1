/**
 * A lean HTTP client for benchmarks: node:http over keep-alive sockets. The client shares the event
 * loop (and the two cores) with the server under test, so `fetch` (undici, web streams: about twice
 * the CPU per request) would measure the client as much as the server.
 */
import { Agent, request } from 'node:http';

export interface LeanResponse {
  status: number;
  body: unknown;
}

export interface LeanHttpClient {
  post(path: string, token: string, body?: string): Promise<LeanResponse>;
  close(): void;
}

export function leanHttpClient(base: string, sockets: number): LeanHttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const url = new URL(base);
  return {
    post(path, token, body) {
      return new Promise((resolve, reject) => {
        const headers: Record<string, string | number> = { authorization: `Bearer ${token}` };
        if (body !== undefined) {
          headers['content-type'] = 'application/json';
          headers['content-length'] = Buffer.byteLength(body);
        } else headers['content-length'] = 0;
        const req = request(
          { agent, host: url.hostname, port: url.port, path, method: 'POST', headers },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => {
              try {
                resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) });
              } catch (err) {
                reject(err instanceof Error ? err : new Error(String(err)));
              }
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
