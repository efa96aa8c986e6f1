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
