import type { Context } from 'hono';
import type { z } from 'zod';
import { readBodyText } from './body.ts';
import { ErrCode, HttpError } from './errors.ts';

function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/** Parses `value` or throws a 400 naming the offending paths. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  errcode: string = ErrCode.BadJson,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = issuesOf(result.error);
  const first = issues[0];
  const where = first ? `${first.path || '(root)'}: ${first.message}` : 'invalid';
  throw new HttpError(400, errcode, `Invalid request: ${where}`, { extra: { issues } });
}

/** Reads the JSON body and validates it: 400 M_NOT_JSON for unparsable bodies, M_BAD_JSON for wrong shapes. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readBodyText(c));
  } catch (cause) {
    throw new HttpError(400, ErrCode.NotJson, 'Request body is not valid JSON', { cause });
  }
  return parseWith(schema, raw);
}

/** Validates the query string (all values are strings; use z.coerce for numbers). */
export function queryParams<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseWith(schema, c.req.query(), ErrCode.InvalidParam);
}
