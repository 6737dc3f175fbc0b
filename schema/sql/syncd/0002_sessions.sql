-- 0002_sessions.sql - the dashboard's sign-ins (see docs/syncd-db.md)

-- A browser's session after signing in with a token, or a one-time sign-in link made by
-- `syncd user link`. Only a hash of the secret is kept; a session ends when it expires,
-- when its user signs out, or at once when the user's token is revoked.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,        -- BLAKE2b-256 of the secret, hex
    user_name  TEXT NOT NULL REFERENCES users(name),
    kind       TEXT NOT NULL CHECK (kind IN ('session', 'link')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL            -- UTC, "YYYY-MM-DDTHH:MM:SSZ": compared as text
);
CREATE INDEX sessions_user ON sessions(user_name);
