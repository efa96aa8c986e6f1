-- Each bot user's server-side key backup (m.megolm_backup.v1.curve25519-aes-sha2): its recovery key
-- (the backup's private key), sealed with AES-256-GCM under BOT_CRYPTO_STORE_KEY (associated data:
-- the user id and the purpose; see src/crypto/backup.ts), and the backup version it belongs to.
-- Kept apart from crypto_stores so that losing a store snapshot does not lose the way to restore it.
create table crypto_backup_keys (
  user_id text primary key,
  version text not null,
  sealed bytea not null,
  saved_at timestamptz not null default now()
);
