-- 0003_review.sql - what the supervisors' pages filter and sort on (see docs/syncd-db.md)

-- Facts derived from a case's head revision when it moves (store_quality.c): the quality
-- flags as bits (qual_kind order; the duplicate flag stays in its own column) and the
-- place within the commune (the form's locality question, the village), and when the
-- interview started (its paradata's started_at, else when the revision was made).
ALTER TABLE cases ADD COLUMN quality INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN locality TEXT;
ALTER TABLE cases ADD COLUMN interviewed_at TEXT; -- when the head's interview started (laptop's clock)
CREATE INDEX cases_updated ON cases(updated_at);
CREATE INDEX cases_interviewed ON cases(interviewed_at);
CREATE INDEX cases_commune_updated ON cases(commune_code, updated_at);
CREATE INDEX cases_assignment ON cases(assignment_id); -- a frame's row changed: its cases

-- The store's own settings: "quality_limits" holds the thresholds the stored flags were
-- computed with, so that a change in the config file recomputes them.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
