/**
 * A minimal Chrome DevTools Protocol client for a Node process started with `--inspect=host:port`
 * (through `NODE_OPTIONS`): forces a full GC and reads `process.memoryUsage()` inside it, so a bench
 * can measure another process's settled heap without a hook in that process's code.
 */
import WebSocket from 'ws';

export interface InspectedMemory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface Inspector {
  /** `HeapProfiler.collectGarbage`: a full, synchronous GC in the inspected process. */
  gc(): Promise<void>;
  /** Its `process.memoryUsage()`, in bytes. */
  memoryUsage(): Promise<InspectedMemory>;
  close(): void;
}

export async function connectInspector(host: string, port: number): Promise<Inspector> {
  const targets = (await (await fetch(`http://${host}:${port}/json/list`)).json()) as {
    webSocketDebuggerUrl?: string;
  }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on ${host}:${port}`);
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let next = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  ws.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString('utf8')) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
    };
    const p = msg.id === undefined ? undefined : pending.get(msg.id);
    if (!p || msg.id === undefined) return; // an event, not an answer
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(msg.error.message));
    else p.resolve(msg.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    async gc() {
      await call('HeapProfiler.collectGarbage');
    },
    async memoryUsage() {
      const res = (await call('Runtime.evaluate', {
        expression: 'JSON.stringify(process.memoryUsage())',
        returnByValue: true,
      })) as { result: { value?: unknown }; exceptionDetails?: unknown };
      if (typeof res.result.value !== 'string') throw new Error('memoryUsage: no value from the inspector');
      return JSON.parse(res.result.value) as InspectedMemory;
    },
    close: () => ws.close(),
  };
}
