/**
 * One error module for the runtime. Errors carry a stable `code`; those shown in a room also carry
 * the human text (kept apart from the log message, as matrix-hookshot's `CommandError` does).
 */
import type { Text } from '@mana/i18n';

export type BotErrorCode =
  | 'BOT_COMMAND_FAILED'
  | 'BOT_NOT_LINKED'
  | 'BOT_CREDITS_INSUFFICIENT'
  | 'BOT_CREDITS_UNAVAILABLE'
  | 'BOT_SYNC_UNAVAILABLE'
  | 'BOT_TIMEOUT'
  | 'BOT_CANCELLED'
  | 'BOT_MATRIX_UNAVAILABLE'
  | 'BOT_MEDIA_TOO_LARGE'
  /** An encrypted attachment whose ciphertext does not match the hash its event names. */
  | 'BOT_MEDIA_INTEGRITY';

export class BotError extends Error {
  readonly code: BotErrorCode;
  constructor(code: BotErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BotError';
    this.code = code;
  }
}

/** A command failed in a way the user should read about: `human` goes to the room, `message` to the log. */
export class CommandError extends BotError {
  readonly human: Text | string;
  constructor(
    message: string,
    human: Text | string,
    options?: { cause?: unknown; code?: BotErrorCode | undefined },
  ) {
    super(options?.code ?? 'BOT_COMMAND_FAILED', message, options);
    this.name = 'CommandError';
    this.human = human;
  }
}

/** The sender has no Mana account linked to their Matrix id (token exchange refused). */
export class NotLinkedError extends BotError {
  readonly userId: string;
  constructor(userId: string, options?: { cause?: unknown }) {
    super('BOT_NOT_LINKED', `no account linked to ${userId}`, options);
    this.name = 'NotLinkedError';
    this.userId = userId;
  }
}

/** Too few credits for an operation; amounts in milli-credits. */
export class InsufficientCreditsError extends BotError {
  readonly required: number;
  readonly available: number;
  constructor(required: number, available: number) {
    super('BOT_CREDITS_INSUFFICIENT', `insufficient credits: required ${required}, available ${available}`);
    this.name = 'InsufficientCreditsError';
    this.required = required;
    this.available = available;
  }
}

/** A command ran past its timeout and was aborted. */
export class TimeoutError extends BotError {
  constructor(message = 'command timed out') {
    super('BOT_TIMEOUT', message);
    this.name = 'TimeoutError';
  }
}

/** A command was cancelled (❌ reaction, `stop`) or its bracket ended; later writes are refused. */
export class CancelledError extends BotError {
  constructor(message = 'cancelled') {
    super('BOT_CANCELLED', message);
    this.name = 'CancelledError';
  }
}

/** A file bigger than the homeserver accepts (`m.upload.size`); sizes in bytes. */
export class MediaTooLargeError extends BotError {
  readonly size: number;
  /** Undefined when the server names no limit but refused the upload as too large. */
  readonly limit: number | undefined;
  constructor(size: number, limit: number | undefined, options?: { cause?: unknown }) {
    super(
      'BOT_MEDIA_TOO_LARGE',
      `media too large: ${size} bytes${limit === undefined ? '' : `, the server accepts ${limit}`}`,
      options,
    );
    this.name = 'MediaTooLargeError';
    this.size = size;
    this.limit = limit;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
