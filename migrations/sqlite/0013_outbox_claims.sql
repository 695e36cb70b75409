-- Exactly-once mail delivery: each claim of an outbox email carries a random token, and
-- only the worker holding the current token may record the outcome (sent, retry, failed).
-- An email the SMTP server refuses for good (5xx), or that could not be delivered for two
-- days, is marked failed and never retried; the Invitations tab shows it as not delivered.
ALTER TABLE mail_outbox ADD COLUMN claim_token TEXT;
ALTER TABLE mail_outbox ADD COLUMN failed_at BIGINT;

-- Due mail is what is neither sent, cancelled nor failed.
DROP INDEX mail_outbox_due;
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND cancelled_at IS NULL AND failed_at IS NULL;
