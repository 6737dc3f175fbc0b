-- 0003_review.sql - what the supervisors' pages filter and sort on (see docs/syncd-db.md)

-- Facts derived from a case's head revision when it moves (store_quality.c): the quality
-- flags as bits (qual_kind order; the duplicate flag stays in its own column) and the
-- place within the commune (the form's locality question, the village), and when the
-- interview started (its paradata's started_at, else when the revision was made).
ALTER TABLE cases ADD COLUMN quality INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN locality TEXT;
ALTER TABLE cases ADD COLUMN distinct_key TEXT; -- "not a duplicate" said for this household key
ALTER TABLE cases ADD COLUMN interviewed_at TEXT; -- when the head's interview started (laptop's clock)
CREATE INDEX cases_updated ON cases(updated_at);
CREATE INDEX cases_interviewed ON cases(interviewed_at);
CREATE INDEX cases_commune_updated ON cases(commune_code, updated_at);
CREATE INDEX cases_assignment ON cases(assignment_id); -- a frame's row changed: its cases
CREATE INDEX cases_status_updated ON cases(status, updated_at);
CREATE INDEX cases_quality ON cases(quality);   -- "quality IN (...)": the cases with a flag
CREATE INDEX cases_conflicts ON cases(updated_at) WHERE conflict = 1;
CREATE INDEX cases_duplicates ON cases(updated_at) WHERE duplicate = 1;

-- The store's own settings: "quality_limits" holds the thresholds the stored flags were
-- computed with: every program that merges uses them, and a change in serve's config file
-- recomputes the flags.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Decisions gain "distinct" (a supervisor's "not a duplicate"): the table is made again with
-- the wider check, its rows and their sequence numbers kept.
CREATE TABLE decisions_v3 (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id  TEXT NOT NULL REFERENCES cases(case_id),
    rev_id   TEXT NOT NULL REFERENCES revisions(rev_id),
    decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected', 'resolved', 'distinct')),
    comment  TEXT NOT NULL DEFAULT '',
    by_user  TEXT NOT NULL,
    at       TEXT NOT NULL
);
INSERT INTO decisions_v3 (seq, case_id, rev_id, decision, comment, by_user, at)
    SELECT seq, case_id, rev_id, decision, comment, by_user, at FROM decisions;
DROP TABLE decisions;
ALTER TABLE decisions_v3 RENAME TO decisions;
CREATE INDEX decisions_case ON decisions(case_id);
