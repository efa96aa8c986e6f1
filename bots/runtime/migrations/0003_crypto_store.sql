-- The bots' end-to-end-encryption state (Olm account, sessions, Megolm keys), one sealed snapshot of
-- each bot user's crypto store (AES-256-GCM with BOT_CRYPTO_STORE_KEY; see src/crypto/store.ts), and
-- the device id it belongs to, so a restart keeps the same device.
create table crypto_stores (
  user_id text primary key,
  device_id text not null,
  sealed bytea not null,
  saved_at timestamptz not null default now()
);
