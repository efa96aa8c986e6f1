-- Each claim carries a token: the runner renews its lease while the job runs (a long job is not
-- taken over by a second runner mid-way), and undoes only its own claim when the job fails (never
-- one another runner took over meanwhile).
alter table fired_jobs add column claim_token text;
