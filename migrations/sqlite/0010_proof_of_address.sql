-- Proof of address. A verification link carries the password chosen in its own sign-up,
-- so a repeat sign-up never replaces a password: whoever follows a link from the mailbox
-- decides which password becomes the account's. A sign-in or verification link may
-- also carry the local path to return to (an invitation waiting to be accepted).
ALTER TABLE account_tokens ADD COLUMN password_hash TEXT;
ALTER TABLE account_tokens ADD COLUMN next_path TEXT;
