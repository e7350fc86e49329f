-- The mcusim run database (docs/database.md).
--
-- Ordered, append-only migrations. Each starts with a line
--   -- migration N: what it does
-- and N counts up from 1 without gaps. A database's PRAGMA user_version is
-- the last migration applied to it; opening it applies the ones after that,
-- all in one transaction. Never edit or reorder a migration that has shipped:
-- append a new one. This file is embedded in mcusim at build time.

-- migration 1: runs, their per-function profile and memory use
PRAGMA application_id = 1835234157; -- 0x6D63736D, 'mcsm': an mcusim run database

CREATE TABLE runs (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at       TEXT    NOT NULL,           -- UTC, ISO-8601: 2024-05-01T12:34:56Z
  firmware         TEXT    NOT NULL,           -- ELF file name
  firmware_path    TEXT    NOT NULL,           -- absolute path of the ELF when it ran
  device           TEXT    NOT NULL,
  core             TEXT    NOT NULL,
  mhz              REAL    NOT NULL,
  timing           TEXT    NOT NULL,
  stop_reason      TEXT    NOT NULL,           -- exited, fault, hang, cycle limit, ...
  exit_code        INTEGER NOT NULL,
  cycles           INTEGER NOT NULL,
  instructions     INTEGER NOT NULL,
  sim_seconds      REAL    NOT NULL,
  flash_used       INTEGER NOT NULL,           -- bytes, all flash regions
  ram_used         INTEGER NOT NULL,           -- bytes, all SRAM and TCM regions
  stack_used       INTEGER NOT NULL,           -- bytes, high-water mark (0 if not profiled)
  report_schema    INTEGER NOT NULL,           -- schema_version of report_json
  report_json      TEXT    NOT NULL            -- the full report (docs/report.md)
);
CREATE INDEX runs_firmware ON runs(firmware);

CREATE TABLE functions (
  run_id           INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name             TEXT    NOT NULL,
  self_cycles      INTEGER NOT NULL,
  inclusive_cycles INTEGER NOT NULL,
  calls            INTEGER NOT NULL
);
CREATE INDEX functions_run ON functions(run_id);
CREATE INDEX functions_name ON functions(name);

CREATE TABLE memory (
  run_id           INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  region           TEXT    NOT NULL,
  used             INTEGER NOT NULL,
  capacity         INTEGER NOT NULL
);
CREATE INDEX memory_run ON memory(run_id);

-- migration 2: layers, one row per node of the model's graph (runs stored before it have none)
CREATE TABLE layers (
  run_id           INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  node             INTEGER NOT NULL,           -- position of the layer within its invocation (0 = first)
  name             TEXT    NOT NULL,           -- marker name, TFLM tag or kernel ('' if none)
  op               TEXT    NOT NULL,           -- operator type ('' if unknown)
  source           TEXT    NOT NULL,           -- markers, pattern, tflm-profiler, tflm-calls
  invocations      INTEGER NOT NULL,
  cycles           INTEGER NOT NULL,           -- total over the invocations
  mean_cycles      REAL    NOT NULL,           -- per invocation
  min_cycles       INTEGER NOT NULL,
  max_cycles       INTEGER NOT NULL,
  macs             INTEGER                     -- per invocation; NULL when unknown
);
CREATE INDEX layers_run ON layers(run_id);
CREATE INDEX layers_name ON layers(name);
