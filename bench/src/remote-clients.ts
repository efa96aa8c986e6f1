/**
 * HTTP benchmark clients in a child process of their own, so the server under test has its event
 * loop to itself and the bench process's CPU time is the server's alone, as a deployment sees it
 * (the two processes still share the machine's cores). The parent sends one load task at a time
 * and gets back the latencies and the child's own CPU time.
 *
 * The child is this file run as a script (`fork`), speaking over the IPC channel.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { leanHttpClient, type LeanHttpClient } from './http-client.ts';
import { syncPushBody } from './sync-push-load.ts';

/** `concurrency` writers, each `per` pushes of `batch` changes to `POST /sync/todo`. */
export interface SyncPushTask {
  kind: 'sync-push';
  url: string;
  /** One token per writer; writer w is also clientId `w<w>` and keeps its cursor across tasks. */
  tokens: string[];
  per: number;
  offset: number;
  tag: string;
  batch: number;
  fields: number;
}

/** `tokens.length` clients each running reserve + commit pairs until `durationMs` has passed. */
export interface CreditsPairTask {
  kind: 'credits-pair';
  url: string;
  /** Where the credits routes are mounted, e.g. `/api/v1/credits`. */
  basePath: string;
  tokens: string[];
  durationMs: number;
  /** Unique per task, so idempotency keys never repeat across tasks. */
  keyPrefix: string;
}

export type LoadTask = SyncPushTask | CreditsPairTask;

export interface LoadResult {
  /** Wall time of the measured loop, s. */
  seconds: number;
  /** Latency of each unit, ms. */
  samples: number[];
  /** The child's CPU time (user + system) for the task, µs. */
  clientCpuUs: number;
}

export interface RemoteClients {
  /** Runs one task in the child; the promise settles with its result (or the child's error). */
  run(task: LoadTask): Promise<LoadResult>;
  close(): Promise<void>;
}

type Reply = { ok: true; result: LoadResult } | { ok: false; error: string };

export async function startRemoteClients(): Promise<RemoteClients> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench client process exited with ${code}`)));
  });
  let queue = Promise.resolve();
  const run = (task: LoadTask) =>
    new Promise<LoadResult>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`bench client process exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (reply: Reply) => {
        child.off('exit', onExit);
        if (reply.ok) resolve(reply.result);
        else reject(new Error(`bench client: ${reply.error}`));
      });
      child.send(task);
    });
  return {
    run(task) {
      // One task at a time: each answer is the next message.
      const next = queue.then(() => run(task));
      queue = next.then(
        () => undefined,
        () => undefined,
      );
      return next;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
    },
  };
}

/** Runs `unit` in `n` concurrent loops, each while `more(i)`; latencies and wall time. */
async function loops(
  n: number,
  more: (i: number) => boolean,
  unit: (c: number, i: number) => Promise<void>,
): Promise<LoadResult> {
  const samples: number[] = [];
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: n }, async (_, c) => {
      for (let i = 0; more(i); i++) {
        const t = performance.now();
        await unit(c, i);
        samples.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { seconds, samples, clientCpuUs: used.user + used.system };
}

const clients = new Map<string, LeanHttpClient>();
const clientFor = (base: string, sockets: number) => {
  let c = clients.get(base);
  if (!c) clients.set(base, (c = leanHttpClient(base, sockets)));
  return c;
};
/** Per writer (keyed by clientId and token), the cursor its last push answered. */
const cursors = new Map<string, number>();

async function runTask(task: LoadTask): Promise<LoadResult> {
  if (task.kind === 'sync-push') {
    const client = clientFor(task.url, task.tokens.length);
    return loops(
      task.tokens.length,
      (i) => i < task.per,
      async (w, i) => {
        const token = task.tokens[w] ?? '';
        const key = `${w}:${token}`;
        const body = syncPushBody(w, cursors.get(key) ?? 0, task.offset + i, task);
        const res = await client.post('/sync/todo', token, body);
        if (res.status !== 200) throw new Error(`push answered ${res.status}: ${JSON.stringify(res.body)}`);
        cursors.set(key, (res.body as { cursor: number }).cursor);
      },
    );
  }
  const client = clientFor(task.url, task.tokens.length);
  const end = performance.now() + task.durationMs;
  return loops(
    task.tokens.length,
    () => performance.now() < end,
    async (c, i) => {
      const token = task.tokens[c] ?? '';
      const r = await client.post(
        `${task.basePath}/reserve`,
        token,
        JSON.stringify({ operation: 'ai_chat_ollama', idempotencyKey: `${task.keyPrefix}-${c}-${i}` }),
      );
      if (r.status !== 201) throw new Error(`reserve answered ${r.status}`);
      const id = String((r.body as { reservationId: string }).reservationId);
      const done = await client.post(`${task.basePath}/reservations/${id}/commit`, token);
      if (done.status !== 200) throw new Error(`commit answered ${done.status}`);
    },
  );
}

if (import.meta.main && process.argv.includes('--child')) {
  const send = (m: unknown) => process.send?.(m);
  process.on('message', (task: LoadTask) => {
    runTask(task).then(
      (result) => send({ ok: true, result } satisfies Reply),
      (err: unknown) =>
        send({ ok: false, error: err instanceof Error ? err.message : String(err) } satisfies Reply),
    );
  });
  process.on('disconnect', () => {
    for (const c of clients.values()) c.close();
  });
  send({ ready: true });
}
