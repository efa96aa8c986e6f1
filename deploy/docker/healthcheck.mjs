#!/usr/bin/env node
// Container health check for the Node services (the slim image has no curl): GET $HEALTHCHECK_URL
// (the service's /health/ready), exit 0 on 2xx, 1 otherwise. Prints the body so `docker inspect`
// shows which readiness check failed.
const url = process.argv[2] ?? process.env.HEALTHCHECK_URL;
if (!url) {
  process.stderr.write('usage: mana-healthcheck <url> (or set HEALTHCHECK_URL)\n');
  process.exit(2);
}
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.stdout.write(`${res.status} ${(await res.text()).slice(0, 500)}\n`);
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  process.stdout.write(`unreachable: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
