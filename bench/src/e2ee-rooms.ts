/**
 * The bot runner's memory per encrypted room (issue #18): N encrypted DMs with @todo, each holding
 * the state an encrypted room the bot is in really has (the client's Megolm session received by
 * the bot, the bot's own outbound session shared to the client's device: one `help` sent encrypted
 * and answered encrypted), next to N plain DMs answered the same way, on one stack with E2EE on
 * (`startBotsStack({ e2ee: true })`). Clients are several matrix-js-sdk users with Rust crypto
 * (one client's crypto would be the bottleneck), rooms made `--concurrency` at a time.
 *
 * Measured after each phase (warm-up, plain rooms, encrypted rooms), once the runner has settled: a
 * full GC forced through the inspector (the runner is started with `--inspect` on a free loopback
 * port in `NODE_OPTIONS`, no hook in its code), then RSS (`/proc/<pid>/status`) read every second
 * until three readings lie within 1 MB; its V8 heap (`process.memoryUsage()` through the
 * inspector); and the bot's sealed crypto snapshot in Postgres (`bots.crypto_stores`). The runner
 * rewrites that whole snapshot after every batch of crypto changes (each encrypted reply, each
 * transaction with to-device events), so one save is also timed at each phase's size: the snapshot
 * is restored into this process's in-memory IndexedDB and dumped, sealed and upserted (to a row of
 * its own) with the runner's own code (`store.ts`), five times.
 *
 *   npm exec -- node bench/src/e2ee-rooms.ts [--rooms 1000] [--users 12] [--concurrency 12]
 *   npm run bench -- e2ee-rooms
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  parseStoreKey,
  postgresCryptoStore,
  restoreDatabases,
  snapshotDatabases,
} from '@mana/bot-runtime/testing';
import { createE2eeClient, SERVER_NAME, startBotsStack, type E2eeClient } from '@mana/e2e/support';
import { freePort } from '@mana/testing';
import postgres from 'postgres';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { connectInspector, type Inspector } from './inspector.ts';
import { isSettled, rssMbOf, wasmMemoryMbOf } from './proc.ts';
import { summarize } from './stats.ts';

const TODO = `@todo:${SERVER_NAME}`;
const MB = 1024 * 1024;

export interface MemoryPoint {
  /** Rooms (of the measured kinds) the bot is in, warm-up rooms not counted. */
  rooms: number;
  rssMb: number;
  heapUsedMb: number;
  /** `external` (array buffers among it). The WASM machine's memory is not in it: see `wasmMb`. */
  externalMb: number;
  /** The WASM memories' committed size (`/proc/<pid>/smaps`): the crypto machine's high-water mark. */
  wasmMb: number;
  /** The sealed snapshot's size in Postgres (bytes). */
  storeBytes: number;
  /** One save at this size (dump + `v8.serialize`, seal, upsert), ms, five times. */
  saveMs: number[];
  /** Of which the dump of the in-memory IndexedDB. */
  dumpMs: number[];
  loadavg: string;
}

export interface Phase {
  seconds: number;
  /** Message sent → the bot's reply in the client's timeline, ms, in room order. */
  replyMs: number[];
  /** Rooms in which the bot could not decrypt the first message (sent again, `replyMs` has the last). */
  undecryptable: number;
  /** Rooms in which it could not decrypt the message sent again either. */
  lost: number;
}

export interface E2eeRooms {
  rooms: number;
  users: number;
  concurrency: number;
  before: MemoryPoint;
  plain: MemoryPoint;
  encrypted: MemoryPoint;
  plainPhase: Phase;
  encryptedPhase: Phase;
}

export interface E2eeRoomsOptions {
  rooms?: number;
  users?: number;
  concurrency?: number;
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** Runs `fn(0…n-1)` with at most `width` calls in flight. */
async function inPool(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
}

/** A full GC, then RSS every second until three readings lie within 1 MB (at most 30 s). */
async function settle(
  pid: number,
  inspector: Inspector,
): Promise<{ rssMb: number; heapUsedMb: number; externalMb: number; wasmMb: number }> {
  const readings: number[] = [];
  for (let i = 0; i < 30 && !isSettled(readings, 3, 1); i++) {
    await inspector.gc();
    await new Promise((r) => setTimeout(r, 1000));
    readings.push(rssMbOf(pid));
  }
  await inspector.gc();
  const m = await inspector.memoryUsage();
  return {
    rssMb: rssMbOf(pid),
    heapUsedMb: m.heapUsed / MB,
    externalMb: m.external / MB,
    wasmMb: wasmMemoryMbOf(pid).sizeMb,
  };
}

const UNDECRYPTABLE = /^(I could not decrypt|Ich konnte deine verschlüsselte)/;

export interface RoomReply {
  /** Message sent → the bot's answer in the client's timeline, ms (of the last message sent). */
  ms: number;
  /** How many messages the bot answered that it could not decrypt (each was sent again). */
  undecryptable: number;
  /** Whether the last one, too, was undecryptable: the room has no client room key at the bot. */
  lost: boolean;
}

const TRIES = 2;

/**
 * One room, one message, the bot's reply. When the bot answers that it could not decrypt the
 * message (its room key did not reach it in time), the message is sent again, as the bot asks, once.
 */
async function roomWithReply(client: E2eeClient, encrypted: boolean): Promise<RoomReply> {
  const roomId = encrypted ? await client.encryptedDm(TODO) : await client.plainDm(TODO);
  const notices = new Set<string>();
  for (let attempt = 1; ; attempt++) {
    const t0 = performance.now();
    const id = await client.sendText(roomId, 'help');
    const answer = await client.waitFor(
      roomId,
      (e) =>
        e.sender === TODO &&
        ((e.content['m.relates_to'] as { 'm.in_reply_to'?: { event_id?: string } } | undefined)?.[
          'm.in_reply_to'
        ]?.event_id === id ||
          (!notices.has(e.eventId) && UNDECRYPTABLE.test(String(e.content.body)))),
      180_000,
      50,
    );
    const ms = performance.now() - t0;
    if (!UNDECRYPTABLE.test(String(answer.content.body)))
      return { ms, undecryptable: notices.size, lost: false };
    notices.add(answer.eventId);
    if (attempt === TRIES) return { ms, undecryptable: notices.size, lost: true };
  }
}

export async function measureE2eeRooms(options: E2eeRoomsOptions = {}): Promise<E2eeRooms> {
  const rooms = options.rooms ?? 1000;
  const userCount = options.users ?? 12;
  const concurrency = options.concurrency ?? 12;
  const inspectPort = await freePort();
  const stack = await startBotsStack({
    label: 'bench_e2ee_rooms',
    e2ee: true,
    runnerLogLevel: 'warn',
    runnerEnv: { NODE_OPTIONS: `--inspect=127.0.0.1:${inspectPort}` },
  });
  const clients: E2eeClient[] = [];
  const sql = postgres(stack.db.url, { max: 2, onnotice: () => {}, connection: { search_path: 'bots' } });
  let inspector: Inspector | undefined;
  try {
    const pid = stack.runner.pid;
    if (pid === undefined) throw new Error('the runner has no pid');
    const tag = Date.now().toString(36);
    const users = await Promise.all(
      Array.from({ length: userCount }, (_, i) => stack.ssoUser(`rooms${i}${tag}`)),
    );
    clients.push(...(await Promise.all(users.map((u) => createE2eeClient(stack.synapse.baseUrl, u)))));
    // Warm-up, not counted: per client one room of each kind (its device keys, Olm sessions, the
    // user's token exchange and settings), and the runner's JIT.
    await Promise.all(
      clients.map(async (c) => {
        await roomWithReply(c, false);
        await roomWithReply(c, true);
      }),
    );
    inspector = await connectInspector('127.0.0.1', inspectPort);

    const key = parseStoreKey(stack.runnerEnv.BOT_CRYPTO_STORE_KEY ?? '');
    const store = postgresCryptoStore(sql, key);
    const snapshots: Uint8Array[] = [];
    const point = async (count: number): Promise<Omit<MemoryPoint, 'saveMs' | 'dumpMs'>> => {
      const mem = await settle(pid, inspector!);
      const [row] = await sql<{ sealed: Buffer }[]>`select sealed from crypto_stores where user_id = ${TODO}`;
      const saved = await store.load(TODO);
      if (!row || !saved) throw new Error(`no crypto store row for ${TODO}`);
      snapshots.push(saved.snapshot);
      return { rooms: count, ...mem, storeBytes: row.sealed.length, loadavg: loadavg() };
    };
    const phase = async (encrypted: boolean): Promise<Phase> => {
      const replyMs: number[] = new Array<number>(rooms);
      const t0 = performance.now();
      let done = 0;
      let undecryptable = 0;
      let lost = 0;
      await inPool(rooms, concurrency, async (i) => {
        const reply = await roomWithReply(clients[i % clients.length]!, encrypted);
        replyMs[i] = reply.ms;
        if (reply.undecryptable > 0) {
          undecryptable++;
          console.error(`room ${i} (client ${i % clients.length}): ${reply.undecryptable} undecryptable`);
        }
        if (reply.lost) lost++;
        if (++done % Math.max(1, Math.round(rooms / 10)) === 0)
          console.error(
            `${encrypted ? 'encrypted' : 'plain'} ${done}/${rooms} rooms, ${((performance.now() - t0) / 1000).toFixed(0)} s, load ${loadavg()}`,
          );
      });
      return { seconds: (performance.now() - t0) / 1000, replyMs, undecryptable, lost };
    };

    const before = await point(0);
    const plainPhase = await phase(false);
    const plain = await point(rooms);
    const encryptedPhase = await phase(true);
    const encrypted = await point(rooms);
    // What else the runner warned about (the undecryptable messages are counted above).
    const other = stack.runner
      .logs()
      .filter((l) => l.startsWith('{') && !l.includes('undecryptable message'));
    if (other.length > 0)
      console.error(`runner warnings and errors (${other.length}):\n${other.slice(-20).join('\n')}`);
    for (const c of clients) c.stop();
    clients.length = 0;

    // One save at each size, with the runner's code, into a row of its own (the runner's row
    // stays as it is). Timed here, not in the runner: the same code on the same data.
    const copy = `@bench-copy:${SERVER_NAME}`;
    const saves: Pick<MemoryPoint, 'saveMs' | 'dumpMs'>[] = [];
    for (const snapshot of snapshots) {
      await restoreDatabases(snapshot);
      const saveMs: number[] = [];
      const dumpMs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const dumped = await snapshotDatabases(`mana-crypto:${TODO}`);
        dumpMs.push(performance.now() - t0);
        await store.save(copy, { deviceId: 'BENCHCOPY', snapshot: dumped });
        saveMs.push(performance.now() - t0);
      }
      saves.push({ saveMs, dumpMs });
    }
    await sql`delete from crypto_stores where user_id = ${copy}`;

    return {
      rooms,
      users: userCount,
      concurrency,
      before: { ...before, ...saves[0]! },
      plain: { ...plain, ...saves[1]! },
      encrypted: { ...encrypted, ...saves[2]! },
      plainPhase,
      encryptedPhase,
    };
  } catch (err) {
    console.error(stack.runner.logs().slice(-30).join('\n'));
    throw err;
  } finally {
    inspector?.close();
    for (const c of clients) c.stop();
    await sql.end({ timeout: 5 });
    await stack.close();
  }
}

const median = (xs: readonly number[]) => summarize(xs).p50;
const kib = (mb: number, rooms: number) => (mb * 1024) / rooms;

/** p50 of the first and of the last tenth of a phase's replies: does a reply slow down as rooms add up? */
function firstLast(replyMs: readonly number[]): [number, number] {
  const tenth = Math.max(1, Math.floor(replyMs.length / 10));
  return [median(replyMs.slice(0, tenth)), median(replyMs.slice(-tenth))];
}

export function formatE2eeRooms(r: E2eeRooms): string {
  const row = (name: string, p: MemoryPoint) =>
    [
      name.padEnd(26),
      p.rssMb.toFixed(1).padStart(8),
      p.heapUsedMb.toFixed(1).padStart(8),
      p.externalMb.toFixed(1).padStart(9),
      p.wasmMb.toFixed(1).padStart(8),
      (p.storeBytes / 1024).toFixed(1).padStart(10),
      `${median(p.saveMs).toFixed(1)} ms`.padStart(12),
      `${median(p.dumpMs).toFixed(1)} ms`.padStart(10),
      `  ${p.loadavg}`,
    ].join(' ');
  const plainRss = kib(r.plain.rssMb - r.before.rssMb, r.rooms);
  const encRss = kib(r.encrypted.rssMb - r.plain.rssMb, r.rooms);
  const plainHeap = kib(r.plain.heapUsedMb - r.before.heapUsedMb, r.rooms);
  const encHeap = kib(r.encrypted.heapUsedMb - r.plain.heapUsedMb, r.rooms);
  const encExt = kib(r.encrypted.externalMb - r.plain.externalMb, r.rooms);
  const encWasm = kib(r.encrypted.wasmMb - r.plain.wasmMb, r.rooms);
  const storePerRoom = (r.encrypted.storeBytes - r.plain.storeBytes) / 1024 / r.rooms;
  const phase = (name: string, p: Phase) => {
    const [first, last] = firstLast(p.replyMs);
    return `${name}: ${r.rooms} rooms in ${p.seconds.toFixed(0)} s (${(r.rooms / p.seconds).toFixed(1)} rooms/s); reply p50 ${median(p.replyMs).toFixed(0)} ms, first tenth ${first.toFixed(0)} ms, last tenth ${last.toFixed(0)} ms; ${p.undecryptable} rooms with an undecryptable message (sent again), ${p.lost} never decrypted`;
  };
  return [
    `${r.rooms} plain then ${r.rooms} encrypted DMs with @todo, ${r.users} users, ${r.concurrency} rooms at a time`,
    `${'runner, settled'.padEnd(26)}   RSS MB  heap MB  extern MB  WASM MB  store KiB   save p50   dump p50  load avg`,
    row('warm-up only', r.before),
    row(`+ ${r.rooms} plain rooms`, r.plain),
    row(`+ ${r.rooms} encrypted rooms`, r.encrypted),
    `per plain room:     ${plainRss.toFixed(1)} KiB RSS, ${plainHeap.toFixed(1)} KiB heap`,
    `per encrypted room: ${encRss.toFixed(1)} KiB RSS, ${encHeap.toFixed(1)} KiB heap, ${encExt.toFixed(1)} KiB external, ${encWasm.toFixed(1)} KiB WASM, ${storePerRoom.toFixed(2)} KiB sealed snapshot`,
    `encrypted / plain RSS per room: ${(encRss / plainRss).toFixed(2)}×`,
    phase('plain', r.plainPhase),
    phase('encrypted', r.encryptedPhase),
    `one crypto snapshot save (every encrypted reply and every transaction with to-device events): ${median(r.before.saveMs).toFixed(1)} ms at warm-up, ${median(r.encrypted.saveMs).toFixed(1)} ms at ${r.rooms} encrypted rooms`,
  ].join('\n');
}

export const e2eeRooms: Benchmark = {
  name: 'e2ee-rooms',
  description:
    'runner memory per encrypted vs plain room at 1,000 rooms each, and one crypto snapshot save at that size',
  async run(): Promise<BenchResult> {
    const r = await measureE2eeRooms();
    console.error(formatE2eeRooms(r));
    return {
      name: `crypto snapshot save at ${r.rooms} encrypted rooms`,
      samples: r.encrypted.saveMs,
      stats: summarize(r.encrypted.saveMs),
    };
  },
};

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      rooms: { type: 'string', default: '1000' },
      users: { type: 'string', default: '12' },
      concurrency: { type: 'string', default: '12' },
      json: { type: 'string' },
    },
  });
  measureE2eeRooms({
    rooms: Number(values.rooms),
    users: Number(values.users),
    concurrency: Number(values.concurrency),
  })
    .then(async (r) => {
      console.log(formatE2eeRooms(r));
      if (values.json) await writeFile(values.json, `${JSON.stringify(r, null, 2)}\n`);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    })
    // matrix-js-sdk leaves a long /sync timer behind.
    .finally(() => process.exit());
}
