/**
 * The baseline: how long raw Synapse takes to carry a message from one client to another.
 * Anything we build on Matrix (a bot reply, a sync round trip) is reported as a multiple of this.
 */
import { randomBytes } from 'node:crypto';
import { createTestClient, type SynapseHandle } from '@mana/testing';
import type { Benchmark } from './benchmark.ts';
import { summarize, type Stats } from './stats.ts';

export interface EchoMeasurement {
  /** Milliseconds from A's send to B seeing the event in its sync, one per message. */
  samples: number[];
  stats: Stats;
}

/** A DM between two fresh users on `synapse`: `once()` sends one message and times its arrival. */
export interface EchoPair {
  /** Milliseconds from A's send until B's sync delivers the message. */
  once(): Promise<number>;
  stop(): Promise<void>;
}

export async function openEchoPair(synapse: SynapseHandle): Promise<EchoPair> {
  // Fresh users, so several measurements can share one Synapse.
  const tag = randomBytes(3).toString('hex');
  const [alice, bob] = await Promise.all([
    synapse.registerUser({ username: `echo-a-${tag}` }),
    synapse.registerUser({ username: `echo-b-${tag}` }),
  ]);
  const a = await createTestClient({ baseUrl: synapse.baseUrl, ...alice });
  const b = await createTestClient({ baseUrl: synapse.baseUrl, ...bob });
  const stop = () => Promise.all([a.stop(), b.stop()]).then(() => undefined);
  try {
    const roomId = await a.createDm(bob.userId);
    await b.waitForInvite({ from: alice.userId });
    await b.joinRoom(roomId);
    let i = 0;
    return {
      async once() {
        const body = `echo ${tag} ${i++}`;
        // Listen before sending: B may see the event before A's send call returns.
        const seen = b.waitForEvent((e) => e.getRoomId() === roomId && e.getContent().body === body);
        const started = performance.now();
        await a.sendText(roomId, body);
        await seen;
        return performance.now() - started;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Client A sends `n` messages into a DM with client B, one at a time: send, wait until B's sync
 * delivers it, next. Sequential on purpose: it measures latency, not throughput. A few warm-up
 * messages (connections, JIT, Synapse caches) are sent first and not counted.
 */
export async function measureSynapseEcho(
  synapse: SynapseHandle,
  n: number,
  { warmup = 10 }: { warmup?: number } = {},
): Promise<EchoMeasurement> {
  const pair = await openEchoPair(synapse);
  try {
    for (let i = 0; i < warmup; i++) await pair.once();
    const samples: number[] = [];
    for (let i = 0; i < n; i++) samples.push(await pair.once());
    return { samples, stats: summarize(samples) };
  } finally {
    await pair.stop();
  }
}

export const synapseEcho: Benchmark = {
  name: 'synapse-echo',
  description: 'raw Synapse: client A sends a DM, client B sees it in its sync (sequential)',
  async run(context) {
    const { samples, stats } = await measureSynapseEcho(await context.synapse(), context.samples);
    return { name: 'synapse-echo', samples, stats };
  },
};
