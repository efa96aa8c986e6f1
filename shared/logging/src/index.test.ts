import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger } from './index.ts';

it('writes JSON lines with the service name and redacts secrets', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const log = createLogger({ service: 'demo', destination: sink });
  log.info(
    { user: 'alice', password: 'hunter2', req: { headers: { authorization: 'Bearer abc' } } },
    'hello',
  );
  expect(lines).toHaveLength(1);
  const line: unknown = JSON.parse(lines[0] ?? '');
  expect(line).toMatchObject({
    service: 'demo',
    level: 'info',
    msg: 'hello',
    user: 'alice',
    password: '[redacted]',
  });
  expect(lines[0]).not.toContain('hunter2');
  expect(lines[0]).not.toContain('Bearer abc');
});
