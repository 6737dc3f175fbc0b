-- 0002_sync.sql - the collector's local database, version 2: what the server said (see
-- docs/collector-db.md). Settings of sync (server_url, token, server_user, pull_cursor) live in
-- meta.

-- Revisions the server refused, with every problem it named. A refused revision leaves the
-- outbox (sending it again would get the same answer) but stays in revisions; its case is sent
-- back to the enumerator to correct.
CREATE TABLE sync_rejections (
    rev_id      TEXT PRIMARY KEY REFERENCES revisions(rev_id),
    case_id     TEXT NOT NULL REFERENCES cases(case_id),
    problems    TEXT NOT NULL,           -- JSON array [{"where", "what", "message"}] as sent
    received_at TEXT NOT NULL
);
CREATE INDEX sync_rejections_case ON sync_rejections(case_id);

-- Supervisors' decisions as pulled, in the order received, whether or not they changed a case
-- here (note says why not): any case's state can be explained.
CREATE TABLE sync_decisions (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     TEXT NOT NULL,           -- no foreign key: it may be a case not on this laptop
    rev_id      TEXT,                    -- the revision decided on
    decision    TEXT NOT NULL CHECK (decision IN ('approved', 'rejected', 'resolved')),
    comment     TEXT NOT NULL DEFAULT '',
    decided_by  TEXT NOT NULL DEFAULT '',
    decided_at  TEXT NOT NULL DEFAULT '',
    applied     INTEGER NOT NULL,        -- 1 when it changed the case here
    note        TEXT NOT NULL DEFAULT '',
    received_at TEXT NOT NULL
);
CREATE INDEX sync_decisions_case ON sync_decisions(case_id);
