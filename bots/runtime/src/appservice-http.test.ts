import { createMetrics } from '@mana/metrics';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { mountAppserviceRoutes } from './appservice-http.ts';
import { createBotMetrics } from './metrics.ts';
import type { StoredEvent } from './state.ts';

const event = {
  event_id: '$1',
  room_id: '!r:mana.test',
  type: 'm.room.message',
  sender: '@a:mana.test',
  content: { msgtype: 'm.text', body: 'liste' },
};

function setup(durable: Promise<void>) {
  const app = new Hono();
  const seen: string[] = [];
  mountAppserviceRoutes(app, {
    hsToken: 'hs',
    state: {
      isTransactionDone: async () => false,
      storeTransaction: async (_txn, events) => ({
        repeatedId: false,
        fresh: events.map((e) => ({ eventId: e.event_id, roomId: e.room_id, event: e })),
        durable,
      }),
    },
    metrics: createBotMetrics(createMetrics({ service: 'test' })),
    isBotUser: () => true,
    log: { warn: () => undefined },
    onEvents: (events: StoredEvent[]) => seen.push(...events.map((e) => e.eventId)),
  });
  const put = async () =>
    app.request('/_matrix/app/v1/transactions/7', {
      method: 'PUT',
      headers: { authorization: 'Bearer hs', 'content-type': 'application/json' },
      body: JSON.stringify({ events: [event] }),
    });
  return { put, seen };
}

describe('transactions', () => {
  it('work starts once the rows are committed; Synapse hears 200 only once they are on disk', async () => {
    let flushed = () => {};
    const { put, seen } = setup(new Promise<void>((r) => (flushed = r)));
    let answered = false;
    const response = put().then((r) => ((answered = true), r));
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual(['$1']);
    expect(answered).toBe(false);
    flushed();
    expect((await response).status).toBe(200);
  });

  it('a flush that fails is not acknowledged (Synapse sends the transaction again)', async () => {
    const { put } = setup(Promise.reject(new Error('disk full')));
    expect((await put()).status).toBeGreaterThanOrEqual(500);
  });
});
