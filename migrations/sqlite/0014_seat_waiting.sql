-- People who joined as Viewer only because no seat was theirs (the invitation, link or
-- rule offered Member or Admin): set with the membership, in its transaction; cleared
-- whenever the membership gets a seat. The Members page counts them ("3 people waiting
-- for a seat") from the partial index, which holds only the waiting.
ALTER TABLE memberships ADD COLUMN seat_waiting BIGINT NOT NULL DEFAULT 0 CHECK (seat_waiting IN (0, 1));
CREATE INDEX memberships_seat_waiting ON memberships (workspace_id) WHERE seat_waiting = 1;
