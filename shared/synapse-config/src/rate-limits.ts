/**
 * Synapse's rate limits, by profile: `default` leaves Synapse's own (production), `dev` makes the
 * login and registration limits fit one developer's machine, `off` raises every limit out of reach.
 */

/** `default`: Synapse's own limits (production). `dev`: the local stack. `off`: tests, benchmarks. */
export type RateLimitProfile = 'default' | 'dev' | 'off';

/**
 * Synapse's rate limits, all raised far beyond anything a test or benchmark does.
 *
 * Tests register users, create rooms and send messages in bursts that real people never do;
 * with Synapse's defaults (e.g. `rc_message` 0.2/s, burst 10) they would fail with
 * `M_LIMIT_EXCEEDED` or slow down with retries. Keys are those read by Synapse's
 * `synapse/config/ratelimiting.py`. Federation limits are left alone: tests run without federation.
 */

interface Bucket {
  per_second: number;
  burst_count: number;
}

const UNLIMITED: Bucket = { per_second: 100_000, burst_count: 1_000_000 };

export const RATE_LIMITS_OFF = {
  rc_message: UNLIMITED,
  rc_registration: UNLIMITED,
  rc_registration_token_validity: UNLIMITED,
  rc_login: { address: UNLIMITED, account: UNLIMITED, failed_attempts: UNLIMITED },
  rc_admin_redaction: UNLIMITED,
  rc_joins: { local: UNLIMITED, remote: UNLIMITED },
  rc_joins_per_room: UNLIMITED,
  rc_3pid_validation: UNLIMITED,
  rc_invites: { per_room: UNLIMITED, per_user: UNLIMITED, per_issuer: UNLIMITED },
  rc_third_party_invite: UNLIMITED,
  rc_media_create: UNLIMITED,
  rc_presence: { per_user: UNLIMITED },
  rc_delayed_event_mgmt: UNLIMITED,
  rc_room_creation: UNLIMITED,
  rc_reports: UNLIMITED,
  rc_user_directory: UNLIMITED,
  rc_profile: UNLIMITED,
} as const satisfies Record<string, Bucket | Record<string, Bucket>>;

/**
 * The local stack (`npm start`): one developer signing in again and again from one machine.
 *
 * Synapse's defaults allow five logins per address and per account in a burst, refilled at one
 * every five and a half minutes (`rc_login` 0.003/s, burst 5), and three new users per address
 * (`rc_registration` 0.17/s, burst 3): restarting a client a few times, or SSO sign-ins of a few
 * test accounts, then ends in `M_LIMIT_EXCEEDED` (429) for minutes. Here: 100 at once, one more
 * every second. Everything else keeps Synapse's defaults, so the local stack still behaves like
 * production where it matters (message rates; the bots' appservice is exempt anyway).
 */
const GENEROUS: Bucket = { per_second: 1, burst_count: 100 };

export const RATE_LIMITS_DEV = {
  rc_login: { address: GENEROUS, account: GENEROUS, failed_attempts: GENEROUS },
  rc_registration: GENEROUS,
} as const satisfies Record<string, Bucket | Record<string, Bucket>>;

/** The top-level keys a profile sets (none for `default`: Synapse's own limits apply). */
export function rateLimitConfig(profile: RateLimitProfile = 'default'): Record<string, unknown> {
  if (profile === 'off') return RATE_LIMITS_OFF;
  if (profile === 'dev') return RATE_LIMITS_DEV;
  return {};
}
