-- The Invite dialog's optional personal message (seed 003: "Email sent with personalized
-- message"): kept with the invitation so its email, every resend and the invitee's page
-- show it. Empty when the inviter wrote none; at most 500 characters (checked on input).

ALTER TABLE invitations ADD COLUMN message TEXT NOT NULL DEFAULT '';
