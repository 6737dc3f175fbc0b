-- 0001_init.sql - syncd's central store, version 1 (see docs/syncd-db.md)

-- People who may use syncd. Only a hash of each token is kept.
CREATE TABLE users (
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL CHECK (role IN ('enumerator', 'supervisor', 'statistician', 'admin')),
    token_hash TEXT NOT NULL UNIQUE,   -- BLAKE2b-256 of the token, hex
    communes   TEXT NOT NULL DEFAULT '', -- supervisors: commune codes, comma-separated
    created_at TEXT NOT NULL,
    revoked_at TEXT                    -- a revoked user's token stops working
);

-- Published form versions; never changed once published.
CREATE TABLE forms (
    form_id      TEXT NOT NULL,
    version      INTEGER NOT NULL,
    definition   TEXT NOT NULL,
    published_at TEXT NOT NULL,
    PRIMARY KEY (form_id, version)
);

-- The sample frame: which enumerator visits which household, with the design.
CREATE TABLE assignments (
    assignment_id TEXT PRIMARY KEY,
    form_id       TEXT NOT NULL,
    enumerator    TEXT NOT NULL REFERENCES users(name),
    label         TEXT NOT NULL,
    prefill       TEXT NOT NULL,       -- JSON object of answers
    commune_code  TEXT,
    weight        REAL,
    stratum       TEXT,
    psu           TEXT,
    imported_at   TEXT NOT NULL
);

-- One row per case: who owns it, its household, its current head and flags.
CREATE TABLE cases (
    case_id       TEXT PRIMARY KEY,
    form_id       TEXT NOT NULL,
    enumerator    TEXT NOT NULL REFERENCES users(name), -- the user who first pushed it
    assignment_id TEXT,
    commune_code  TEXT,                 -- from the answers (for supervisors' scope)
    household_key TEXT,                 -- the form's household_key answers joined, or NULL
    head_rev      TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('finalized', 'approved', 'rejected')),
    outcome       TEXT NOT NULL,
    conflict      INTEGER NOT NULL DEFAULT 0, -- two branches: needs a supervisor
    duplicate     INTEGER NOT NULL DEFAULT 0, -- another case has the same household key
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX cases_household ON cases(form_id, household_key);
CREATE INDEX cases_enumerator ON cases(enumerator);
CREATE INDEX cases_commune ON cases(commune_code, status);

-- Every revision ever accepted. Never updated, never deleted.
CREATE TABLE revisions (
    rev_id        TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases(case_id),
    parent_rev_id TEXT REFERENCES revisions(rev_id),
    form_id       TEXT NOT NULL,
    form_version  INTEGER NOT NULL,
    author        TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    assignment_id TEXT,
    answers       TEXT NOT NULL,
    paradata      TEXT NOT NULL,
    created_at    TEXT NOT NULL,        -- on the device
    body_hash     TEXT NOT NULL,        -- proto_rev_hash: a re-send must match it
    verdict       TEXT NOT NULL CHECK (verdict IN ('accepted', 'conflict')),
    received_by   TEXT NOT NULL,        -- the user whose push or bundle brought it
    received_at   TEXT NOT NULL,
    commune_code  TEXT,                 -- from the answers: copied to the case when it is the head
    household_key TEXT                  -- the form's household_key answers joined by '|', or NULL
);
CREATE INDEX revisions_case ON revisions(case_id);
CREATE INDEX revisions_parent ON revisions(parent_rev_id);
CREATE TRIGGER revisions_append_only_update BEFORE UPDATE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'revisions are append-only');
END;
CREATE TRIGGER revisions_append_only_delete BEFORE DELETE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'revisions are append-only');
END;

-- Supervisors' decisions, in order.
CREATE TABLE decisions (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id  TEXT NOT NULL REFERENCES cases(case_id),
    rev_id   TEXT NOT NULL REFERENCES revisions(rev_id),
    decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected', 'resolved')),
    comment  TEXT NOT NULL DEFAULT '',
    by_user  TEXT NOT NULL,           -- a user name, or "admin" for the local command line
    at       TEXT NOT NULL
);
CREATE INDEX decisions_case ON decisions(case_id);

-- What each enumerator's pull must bring, in order: the pull cursor is a seq here.
CREATE TABLE changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('form', 'assignment', 'decision')),
    ref        TEXT NOT NULL,         -- "form_id:version", assignment_id, or decisions.seq
    enumerator TEXT,                  -- NULL: for everyone
    at         TEXT NOT NULL
);
CREATE INDEX changes_enumerator ON changes(enumerator, seq);
