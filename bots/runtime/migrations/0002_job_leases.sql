-- A job claim is a lease until the job is done: a runner killed between claiming a job and finishing
-- it no longer loses that job. BullMQ hands the stalled job to another worker, which takes the
-- claim over once the lease ran out; the job's posts carry a transaction id derived from the job id,
-- so Synapse keeps a post that did go out from appearing twice.
alter table fired_jobs add column claimed_until timestamptz;
alter table fired_jobs add column done_at timestamptz;
update fired_jobs set done_at = fired_at;
