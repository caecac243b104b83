-- The federation's back office (issue 19): the profile's unit nature and economy type (the yearly
-- summary tables are broken down by them), the contact's e-mail, the working-day calendar of the
-- review deadline, the employers' message center and the outbox of its e-mail.

-- 单位性质 replaces the enterprise flag. The old flag said only "企业 or not", so a unit that was
-- not an enterprise gets no nature ('') and its profile asks for one again (the four others cannot
-- be told apart from the flag). The default keeps the old column's default (an enterprise).
ALTER TABLE employers ADD COLUMN unit_nature TEXT NOT NULL DEFAULT '企业'
    CHECK (unit_nature IN ('', '企业', '机关', '事业单位', '社会团体', '民办非企业'));
UPDATE employers SET unit_nature = CASE WHEN enterprise THEN '企业' ELSE '' END;
ALTER TABLE employers DROP COLUMN enterprise;
-- 经济类型: optional ('' = not given).
ALTER TABLE employers ADD COLUMN economy_type TEXT NOT NULL DEFAULT ''
    CHECK (economy_type IN ('', '国有', '集体', '私营', '外商投资', '港澳台投资', '其他'));
-- The contact's e-mail: optional; messages are mailed there when it is given.
ALTER TABLE employers ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';
-- The statistics group employers of an office subtree by district.
CREATE INDEX employers_office_district ON employers (federation_office, district);
CREATE INDEX declarations_year_status ON declarations (year, status);
CREATE INDEX review_items_employer_status ON review_items (employer_id, status);

-- The working-day calendar: the days that differ from the week (a weekday off is a holiday, a
-- weekend day on is a make-up workday, 调休). Every other Monday–Friday is a working day.
CREATE TABLE work_calendar (
    day     TEXT PRIMARY KEY,          -- 'YYYY-MM-DD'
    workday BOOLEAN NOT NULL           -- true: a make-up workday (班); false: a holiday (休)
);

-- The message center: what happened to an employer's items, one row per message; every account of
-- the employer reads the same messages. dedupe makes a generated message (a deadline reminder)
-- exist once however often or on how many instances the generator runs.
CREATE TABLE messages (
    id          {{id}},
    employer_id BIGINT NOT NULL REFERENCES employers (id),
    kind        TEXT NOT NULL CHECK (kind IN ('review', 'return', 'reopen', 'affiliate', 'deadline')),
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    link        TEXT NOT NULL DEFAULT '',
    dedupe      TEXT,
    created_at  {{timestamp}} NOT NULL,
    read_at     {{timestamp}}
);
CREATE INDEX messages_employer ON messages (employer_id, id);
CREATE INDEX messages_unread ON messages (employer_id) WHERE read_at IS NULL;
CREATE UNIQUE INDEX messages_dedupe ON messages (dedupe) WHERE dedupe IS NOT NULL;

-- The e-mail outbox: written in the transaction of the message, sent by background work. A row is
-- claimed (pending → sending) by one conditional UPDATE in a transaction of its own before it is
-- sent, so two instances never both send it; a sending row whose sender died is not sent again
-- (the mail may have left): it becomes failed, for the operator to see.
CREATE TABLE mail_outbox (
    id              {{id}},
    message_id      BIGINT NOT NULL REFERENCES messages (id),
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {{timestamp}} NOT NULL,
    claimed_by      TEXT NOT NULL DEFAULT '',
    claimed_at      {{timestamp}},
    sent_at         {{timestamp}},
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      {{timestamp}} NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
-- One mail per message, however many instances queue reminders at once.
CREATE UNIQUE INDEX mail_outbox_message ON mail_outbox (message_id);
