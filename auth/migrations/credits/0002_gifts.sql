-- Gift codes. Making a gift takes the amount out of the giver's balance at once (an entry of kind
-- 'gift', amount < 0); redeeming, revoking or expiry puts it into exactly one account (one entry,
-- amount > 0). So balances always equal the sum of entries, and credits in open gifts are simply
-- in no account: Σ balances = Σ grants − Σ charges − Σ open gifts.
create table gifts (
  id              uuid primary key default gen_random_uuid(),
  giver           text not null references accounts (user_id),
  amount          bigint not null check (amount > 0),
  -- sha-256 of the canonical code: a copy of the database does not give anyone the codes.
  code_hash       bytea not null unique,
  -- The code's last group (20 of its 100 bits), shown in lists so people can tell gifts apart.
  hint            text not null,
  -- Only this account may redeem (null: whoever has the code).
  to_user         text,
  status          text not null check (status in ('open', 'redeemed', 'revoked', 'expired')),
  idempotency_key text not null,
  actor           text not null,
  redeemed_by     text,
  created_at      timestamptz not null default now(),
  expires_at      timestamptz not null,
  settled_at      timestamptz,
  constraint gifts_giver_key unique (giver, idempotency_key),
  constraint gifts_redeemed_by check ((status = 'redeemed') = (redeemed_by is not null)),
  constraint gifts_settled_at check ((status = 'open') = (settled_at is null))
);
-- The sweeper's queue: open gifts, oldest expiry first.
create index gifts_expiring on gifts (expires_at) where status = 'open';
create index gifts_by_giver on gifts (giver, created_at desc);

alter table entries add column gift_id uuid references gifts (id);
-- The backstop for "redeemed once": one entry takes a gift's credits out, one puts them back in.
create unique index entries_gift_out_once on entries (gift_id) where gift_id is not null and amount < 0;
create unique index entries_gift_in_once on entries (gift_id) where gift_id is not null and amount > 0;
