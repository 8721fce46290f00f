-- Scans, the findings they observed (deduplicated content), and what changed between observations.
-- Times are Unix milliseconds (UTC) in every backend.
CREATE TABLE scans (
  id            INTEGER PRIMARY KEY,
  result_hash   TEXT NOT NULL UNIQUE,
  started_at    BIGINT NOT NULL,
  finished_at   BIGINT NOT NULL,
  stored_at     BIGINT NOT NULL,
  origin        TEXT NOT NULL,
  source        TEXT NOT NULL,
  tool_version  TEXT NOT NULL,
  incomplete    INTEGER NOT NULL,
  cancelled     INTEGER NOT NULL,
  accounts      TEXT NOT NULL,
  regions       TEXT NOT NULL,
  checks        TEXT NOT NULL,
  n_pass        INTEGER NOT NULL,
  n_fail        INTEGER NOT NULL,
  n_error       INTEGER NOT NULL,
  n_skipped     INTEGER NOT NULL,
  n_excepted    INTEGER NOT NULL,
  n_unknown     INTEGER NOT NULL,
  vpcs          INTEGER NOT NULL,
  extra         TEXT NOT NULL
);
CREATE INDEX scans_started ON scans (started_at);

CREATE TABLE finding_keys (
  id            INTEGER PRIMARY KEY,
  account_id    TEXT NOT NULL,
  region        TEXT NOT NULL,
  check_id      TEXT NOT NULL,
  resource_id   TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  UNIQUE (account_id, region, check_id, resource_id)
);

CREATE TABLE finding_states (
  id            INTEGER PRIMARY KEY,
  hash          TEXT NOT NULL UNIQUE,
  reason        TEXT NOT NULL,
  title         TEXT NOT NULL,
  severity      TEXT NOT NULL,
  message       TEXT NOT NULL,
  resource_name TEXT NOT NULL,
  doc           TEXT NOT NULL
);

CREATE TABLE finding_obs (
  scan_id  INTEGER NOT NULL REFERENCES scans (id),
  key_id   INTEGER NOT NULL REFERENCES finding_keys (id),
  status   SMALLINT NOT NULL,
  state_id INTEGER NOT NULL REFERENCES finding_states (id),
  PRIMARY KEY (scan_id, key_id)
) WITHOUT ROWID;
CREATE INDEX finding_obs_key ON finding_obs (key_id, scan_id);

CREATE TABLE scan_counts (
  scan_id    INTEGER NOT NULL REFERENCES scans (id),
  account_id TEXT NOT NULL,
  region     TEXT NOT NULL,
  check_id   TEXT NOT NULL,
  n_pass     INTEGER NOT NULL,
  n_fail     INTEGER NOT NULL,
  n_error    INTEGER NOT NULL,
  n_skipped  INTEGER NOT NULL,
  n_excepted INTEGER NOT NULL,
  n_unknown  INTEGER NOT NULL,
  PRIMARY KEY (scan_id, account_id, region, check_id)
) WITHOUT ROWID;
CREATE INDEX scan_counts_account ON scan_counts (account_id, scan_id);

CREATE TABLE finding_current (
  key_id     INTEGER PRIMARY KEY REFERENCES finding_keys (id),
  status     SMALLINT NOT NULL,
  reason     TEXT NOT NULL,
  state_id   INTEGER NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen  BIGINT NOT NULL,
  last_scan  INTEGER NOT NULL,
  fail_since BIGINT NOT NULL
);
CREATE INDEX finding_current_status ON finding_current (status, fail_since);

CREATE TABLE changes (
  scan_id     INTEGER NOT NULL REFERENCES scans (id),
  key_id      INTEGER NOT NULL REFERENCES finding_keys (id),
  from_status SMALLINT NOT NULL,
  to_status   SMALLINT NOT NULL,
  from_reason TEXT NOT NULL,
  to_reason   TEXT NOT NULL,
  state_id    INTEGER NOT NULL,
  PRIMARY KEY (scan_id, key_id)
) WITHOUT ROWID;
CREATE INDEX changes_key ON changes (key_id);

CREATE TABLE fixes (
  key_id    INTEGER NOT NULL REFERENCES finding_keys (id),
  scan_id   INTEGER NOT NULL REFERENCES scans (id),
  failed_at BIGINT NOT NULL,
  fixed_at  BIGINT NOT NULL,
  PRIMARY KEY (key_id, scan_id)
);
CREATE INDEX fixes_fixed ON fixes (fixed_at);

CREATE TABLE scan_exceptions (
  scan_id INTEGER NOT NULL REFERENCES scans (id),
  ord     INTEGER NOT NULL,
  exc_id  TEXT NOT NULL,
  owner   TEXT NOT NULL,
  reason  TEXT NOT NULL,
  expires TEXT NOT NULL,
  ticket  TEXT NOT NULL,
  matcher TEXT NOT NULL,
  file    TEXT NOT NULL,
  line    INTEGER NOT NULL,
  state   TEXT NOT NULL,
  matched INTEGER NOT NULL,
  PRIMARY KEY (scan_id, ord)
);
