import { createServer } from 'node:net';

/**
 * A TCP port that was free a moment ago on 127.0.0.1, for servers that cannot bind port 0 themselves
 * (Synapse) or whose URL must be known before they start (OIDC redirect URIs). Another process may
 * take it in between; callers that can retry should.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not pick a free port'))));
    });
  });
}
