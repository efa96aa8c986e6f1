/**
 * Commands in progress, by the events that stand for them (the command message and its
 * placeholder), so that a ❌ reaction or `stop` can abort one.
 */
import { CancelledError } from '../errors.ts';

export interface Running {
  /** Registers a running command; returns its controller and an `end()` to call when it is done. */
  begin(eventId: string, sender: string, roomId?: string): { controller: AbortController; end: () => void };
  /** Another event (the placeholder) stands for the same command. */
  alias(eventId: string, aliasId: string): void;
  /** Aborts the command `eventId` stands for, if `sender` started it; true when one was running. */
  cancel(eventId: string, sender: string): boolean;
  /** Aborts every command `sender` runs in `roomId` (`stop`); how many were running. */
  cancelAll(sender: string, roomId: string): number;
  /** How many events stand for running commands (tests, metrics). */
  size(): number;
}

export function createRunning(): Running {
  const byEvent = new Map<string, { controller: AbortController; sender: string; roomId?: string }>();
  return {
    begin(eventId, sender, roomId) {
      const entry = { controller: new AbortController(), sender, ...(roomId ? { roomId } : {}) };
      byEvent.set(eventId, entry);
      return {
        controller: entry.controller,
        end: () => {
          for (const [id, e] of byEvent) if (e === entry) byEvent.delete(id);
        },
      };
    },
    alias(eventId, aliasId) {
      const entry = byEvent.get(eventId);
      if (entry) byEvent.set(aliasId, entry);
    },
    cancel(eventId, sender) {
      const entry = byEvent.get(eventId);
      if (!entry || entry.sender !== sender || entry.controller.signal.aborted) return false;
      entry.controller.abort(new CancelledError('cancelled by the user'));
      return true;
    },
    cancelAll(sender, roomId) {
      const entries = new Set(
        [...byEvent.values()].filter(
          (e) => e.sender === sender && e.roomId === roomId && !e.controller.signal.aborted,
        ),
      );
      for (const e of entries) e.controller.abort(new CancelledError('stopped by the user'));
      return entries.size;
    },
    size: () => byEvent.size,
  };
}
