-- The TOTP secrets of staff and employers are sealed with the data key like the ID numbers: a copy
-- of the database alone must not yield the second factor of the staff who read a region's
-- disability data. Secrets an earlier release stored in clear in totp_secret are sealed into
-- totp_sealed, and cleared, the next time a command opens the database with its key
-- (datakey.Service.Check): a migration cannot, it has no key.
ALTER TABLE users ADD COLUMN totp_sealed {{blob}};
