// The local stack survives its own restarts, as someone who runs Mana for longer than one sitting
// needs: `kill -9` of the bot runner under `npm start` brings it back while Synapse and the other
// services keep running, and a command sent while it was down is answered exactly once; stopping
// `npm start` and starting it again on the same data (Synapse on SQLite, which numbers appservice
// transactions from 1 again) keeps every bot answering, old users and new; and after `kill -9` of
// `npm start` itself, the next start stops the services it left running and answers again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, it, onTestFailed } from 'vitest';
import { isAlive as alive } from '../../../scripts/data-lock.ts';
import { bodyOf, Dm, signUp } from './support/people.ts';
import { serviceLogs, setup, stackEnv, startStack, waitForOutput, type Stack } from './support/stack.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'mana-restart-'));
let stack: Stack | undefined;
const TODO = '@todo:localhost';

afterAll(() => {
  stack?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

it('kill -9 of the runner: restarted, the command sent meanwhile answered once; after a full restart old and new users are answered; after kill -9 of npm start, the next start stops its leftovers', async () => {
  // A failure is explained by the services' own logs.
  onTestFailed(() => void process.stderr.write(serviceLogs(dataDir, 60)));
  const env = stackEnv(dataDir, 'auth,sync,bots');
  await setup(env);
  stack = await startStack(dataDir, env);
  const { ports } = stack;
  const synapseUrl = `http://localhost:${ports.synapse}`;
  const people = {
    authUrl: `http://localhost:${ports.auth}`,
    synapseUrl,
    outboxDir: join(dataDir, 'outbox'),
  };

  const alice = await signUp({ ...people, username: 'alice' });
  const dm = await Dm.open(synapseUrl, alice, TODO);
  expect(bodyOf(await dm.ask('neu Milch kaufen'))).toContain('Milch kaufen');

  // kill -9 of one service: only that one goes down, and comes back by itself.
  const before = Object.fromEntries(
    ['synapse', 'auth', 'sync', 'bots', 'redis'].map((s) => [s, stack!.pid(s)] as const),
  );
  const mark = stack.output().length;
  process.kill(before.bots!, 'SIGKILL');
  await waitForOutput(stack, /bots exited \(SIGKILL\); restarting in/, mark);
  const whileDown = await dm.send('liste');
  await waitForOutput(stack, /bots is back \(restart 1\)/, mark);
  expect(bodyOf(await dm.reply(whileDown, 60_000))).toContain('Milch kaufen');
  expect(stack.pid('bots')).not.toBe(before.bots);
  for (const name of ['synapse', 'auth', 'sync', 'redis']) {
    expect(stack.pid(name), name).toBe(before[name]);
    expect(alive(before[name]!), `${name} kept running`).toBe(true);
  }

  // Stop everything (Ctrl-C) and start again on the same data.
  expect(await stack.stop()).toBe(0);
  stack = await startStack(dataDir, env, ports);
  const again = await dm.send('liste');
  expect(bodyOf(await dm.reply(again, 60_000))).toContain('Milch kaufen');

  // A new user's invite is joined and answered too.
  const bob = await signUp({ ...people, username: 'bob' });
  const bobDm = await Dm.open(synapseUrl, bob, TODO);
  expect(bodyOf(await bobDm.ask('neu Brot backen'))).toContain('Brot backen');

  // kill -9 of `npm start` itself: its services live on (each in its own process group) and hold the
  // ports and files; the next start stops them first and comes up on the same data.
  const orphans = ['synapse', 'auth', 'sync', 'bots', 'redis'].map((s) => stack!.pid(s));
  await stack.crash();
  expect(orphans.filter((pid) => alive(pid))).not.toEqual([]);
  stack = await startStack(dataDir, env, ports);
  expect(stack.output()).toMatch(/\[mana\] taking over a stale lock .* \(pid \d+ is gone/);
  expect(stack.output()).toMatch(/\[mana\] bots of the last run is still running \(pid \d+\): stopping it/);
  for (const pid of orphans) expect(alive(pid), `pid ${pid} of the crashed run`).toBe(false);
  const afterCrash = await dm.send('liste');
  expect(bodyOf(await dm.reply(afterCrash, 60_000))).toContain('Milch kaufen');

  // Nothing was answered twice (give a late duplicate the time to show up).
  await sleep(2_000);
  for (const id of [whileDown, again, afterCrash]) expect(await dm.repliesTo(id), id).toHaveLength(1);
  expect(await stack.stop()).toBe(0);
}, 600_000);
