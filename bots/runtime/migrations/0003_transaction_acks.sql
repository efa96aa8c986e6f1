-- A transaction is stored with an asynchronous commit (its events can be processed at once, without
-- waiting for the disk) and made durable by a second, synchronous commit that sets `acked_at` just
-- before Synapse is told 200: a synchronous commit flushes the WAL up to itself, so the earlier
-- insert is on disk by then. `acked_at` is when the runner answered Synapse.
alter table transactions add column acked_at timestamptz;
