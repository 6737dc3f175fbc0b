-- 0001_init.sql - the collector's local database, version 1 (see docs/collector-db.md)

-- Settings of this laptop: enumerator, device id (made once), server and token later.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every form version ever installed; interviews point at the exact version they use.
CREATE TABLE forms (
    form_id      TEXT NOT NULL,
    version      INTEGER NOT NULL,
    title        TEXT NOT NULL,
    definition   TEXT NOT NULL,          -- the form file, as JSON
    installed_at TEXT NOT NULL,
    PRIMARY KEY (form_id, version)
);

-- Households the enumerator is to visit, pre-filled identification and sample design.
CREATE TABLE assignments (
    assignment_id TEXT PRIMARY KEY,
    form_id       TEXT NOT NULL,
    label         TEXT NOT NULL,         -- what the enumerator reads in the list
    prefill       TEXT NOT NULL,         -- JSON object of answers to start with
    weight        REAL,                  -- sample weight, carried to every revision
    stratum       TEXT,
    psu           TEXT,
    received_at   TEXT NOT NULL
);

-- One row per interview: its current state. Drafts keep their answers here, saved
-- after every answer; finalized states live in revisions (append-only).
CREATE TABLE cases (
    case_id       TEXT PRIMARY KEY,      -- UUID
    form_id       TEXT NOT NULL,
    form_version  INTEGER NOT NULL,
    assignment_id TEXT REFERENCES assignments(assignment_id),
    enumerator    TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'finalized', 'rejected', 'approved')),
    outcome       TEXT CHECK (outcome IN ('complete', 'refusal')),
    answers       TEXT NOT NULL,         -- JSON object (format of docs/form-format.md)
    paradata      TEXT NOT NULL,         -- JSON object
    position      TEXT NOT NULL DEFAULT '', -- where the interview stopped: "members[2]/m_age"
    label         TEXT NOT NULL DEFAULT '', -- household identification for lists
    weight        REAL,                  -- sample design, copied from the assignment
    stratum       TEXT,
    psu           TEXT,
    head_rev      TEXT,                  -- the latest revision, NULL until first finalized
    comment       TEXT NOT NULL DEFAULT '', -- a supervisor's comment on a rejection
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    FOREIGN KEY (form_id, form_version) REFERENCES forms(form_id, version)
);
CREATE INDEX cases_status ON cases(status, updated_at);

-- Each finalize or edit adds a revision. Never updated, never deleted.
CREATE TABLE revisions (
    rev_id        TEXT PRIMARY KEY,      -- UUID
    case_id       TEXT NOT NULL REFERENCES cases(case_id),
    parent_rev_id TEXT REFERENCES revisions(rev_id),
    form_id       TEXT NOT NULL,
    form_version  INTEGER NOT NULL,
    author        TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('complete', 'refusal')),
    answers       TEXT NOT NULL,
    paradata      TEXT NOT NULL,
    assignment_id TEXT,
    weight        REAL,
    stratum       TEXT,
    psu           TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX revisions_case ON revisions(case_id);
CREATE TRIGGER revisions_append_only_update BEFORE UPDATE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'revisions are append-only');
END;
CREATE TRIGGER revisions_append_only_delete BEFORE DELETE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'revisions are append-only');
END;

-- Revisions no server has acknowledged yet. A row leaves only on acknowledgement.
CREATE TABLE outbox (
    rev_id    TEXT PRIMARY KEY REFERENCES revisions(rev_id),
    queued_at TEXT NOT NULL
);

-- Which process has an interview open, so two terminals never edit one case at once.
CREATE TABLE case_locks (
    case_id   TEXT PRIMARY KEY REFERENCES cases(case_id),
    pid       INTEGER NOT NULL,
    locked_at TEXT NOT NULL
);
