-- fix, rollback, verify and guard runs, and flow-log report summaries.
CREATE TABLE runs (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  run_id      TEXT NOT NULL,
  account_id  TEXT NOT NULL,
  regions     TEXT NOT NULL,
  started_at  BIGINT NOT NULL,
  finished_at BIGINT NOT NULL,
  stored_at   BIGINT NOT NULL,
  status      TEXT NOT NULL,
  summary     TEXT NOT NULL,
  created     TEXT NOT NULL,
  detail      TEXT NOT NULL,
  UNIQUE (kind, run_id, started_at)
);
CREATE INDEX runs_run ON runs (run_id);
CREATE INDEX runs_started ON runs (started_at);

CREATE TABLE logs_reports (
  id          INTEGER PRIMARY KEY,
  report_hash TEXT NOT NULL UNIQUE,
  stored_at   BIGINT NOT NULL,
  from_at     BIGINT NOT NULL,
  to_at       BIGINT NOT NULL,
  sources     TEXT NOT NULL,
  records     BIGINT NOT NULL,
  bytes       BIGINT NOT NULL,
  accept      BIGINT NOT NULL,
  reject      BIGINT NOT NULL,
  detections  INTEGER NOT NULL,
  read_errors INTEGER NOT NULL,
  summary     TEXT NOT NULL
);
CREATE INDEX logs_reports_stored ON logs_reports (stored_at);
