/**
 * One request header without building a web `Headers`.
 *
 * On `@hono/node-server`, the first `c.req.header(name)` builds an undici `Headers` from every raw
 * header of the request (validating each name and value) just to answer one lookup: a measurable
 * share of a small request's CPU. `requestHeader` answers from the `IncomingMessage`'s raw headers
 * exactly as that `Headers.get` would: every entry of that name (any case), each value trimmed of
 * leading and trailing HTTP whitespace, joined with ", "; `undefined` when there is none.
 * Off node-server (`app.request` in tests, other runtimes) it is `c.req.header(name)`.
 */
import type { Context } from 'hono';
import { IncomingMessage } from 'node:http';

/** Tab, LF, CR, space: what the Fetch standard strips from both ends of a header value. */
const isHttpWhitespace = (code: number) => code === 0x09 || code === 0x0a || code === 0x0d || code === 0x20;

/** Node's parser already trims values; kept so the answer is Headers' whatever gave the raw value. */
function trimHttpWhitespace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isHttpWhitespace(value.charCodeAt(start))) start++;
  while (end > start && isHttpWhitespace(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

/** `c.req.header(name)` for a lower-case `name`, from the Node request when there is one. */
export function requestHeader(c: Context, name: string): string | undefined {
  const env: unknown = c.env;
  const incoming = typeof env === 'object' && env !== null && 'incoming' in env ? env.incoming : undefined;
  if (!(incoming instanceof IncomingMessage)) return c.req.header(name);
  const raw = incoming.rawHeaders;
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i] as string;
    if (key.length !== name.length || key.toLowerCase() !== name) continue;
    const v = trimHttpWhitespace(raw[i + 1] as string);
    value = value === undefined ? v : `${value}, ${v}`;
  }
  return value;
}
