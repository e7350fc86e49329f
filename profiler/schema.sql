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

-- migration 3: energy: the run's totals and the model it was priced with, its power states and power timeline, per-function and per-layer µJ (NULL and no rows for runs stored before it and runs without power figures)
ALTER TABLE runs ADD COLUMN energy_uj REAL;            -- µJ, the whole run; NULL: no energy
ALTER TABLE runs ADD COLUMN average_mw REAL;           -- energy / time
ALTER TABLE runs ADD COLUMN peak_mw REAL;              -- the highest point of the power timeline
ALTER TABLE runs ADD COLUMN uj_per_inference REAL;     -- µJ of one model invocation; NULL when unknown
ALTER TABLE runs ADD COLUMN power_device TEXT;         -- the energy model: the device whose figures priced the run,
ALTER TABLE runs ADD COLUMN power_mode TEXT;           --   its run mode ('' = the only one),
ALTER TABLE runs ADD COLUMN power_mhz REAL;            --   the clock,
ALTER TABLE runs ADD COLUMN power_voltage_v REAL;      --   the rail voltage,
ALTER TABLE runs ADD COLUMN power_temperature_c REAL;  --   the ambient temperature
ALTER TABLE runs ADD COLUMN energy_note TEXT;          -- why a run has no energy (NULL when it has)
ALTER TABLE functions ADD COLUMN self_uj REAL;         -- µJ; NULL: no energy
ALTER TABLE functions ADD COLUMN inclusive_uj REAL;
ALTER TABLE layers ADD COLUMN uj REAL;                 -- µJ, total over the invocations; NULL: no energy
ALTER TABLE layers ADD COLUMN mean_uj REAL;            -- µJ per invocation

-- The rest of a run's energy: the currents it was priced with and the smaller totals.
CREATE TABLE energy (
  run_id           INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  deep_sleep       TEXT    NOT NULL,           -- the state SLEEPDEEP entered
  run_flash_ua     REAL    NOT NULL,           -- run current, code in flash (µA at the rail)
  run_sram_ua      REAL    NOT NULL,           -- run current, code in SRAM
  sleep_ua         REAL    NOT NULL,
  deep_sleep_ua    REAL    NOT NULL,
  wakeup_ua        REAL    NOT NULL,
  sleep_wakeup_us  REAL    NOT NULL,
  deep_wakeup_us   REAL    NOT NULL,
  mac_pj           REAL    NOT NULL,           -- instruction-class weights (0: neutral)
  fpu_pj           REAL    NOT NULL,
  flash_load_pj    REAL    NOT NULL,
  sram_access_pj   REAL    NOT NULL,
  sources          TEXT    NOT NULL,           -- the figures used and their sources, one per line
  seconds          REAL    NOT NULL,
  average_ma       REAL    NOT NULL,
  peak_ma          REAL    NOT NULL,
  sleep_entries    INTEGER NOT NULL,
  deep_sleep_entries INTEGER NOT NULL,
  wakeup_uj        REAL    NOT NULL,           -- energy of all wake-ups
  class_uj         REAL    NOT NULL,           -- extra energy of the instruction-class weights
  timeline_merged  INTEGER NOT NULL            -- 1: the timeline's points average merged stretches
);

-- Time and energy in each power state, one row per state with cycles.
CREATE TABLE power_states (
  run_id           INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  position         INTEGER NOT NULL,           -- order in the report (0 = first)
  state            TEXT    NOT NULL,           -- run (flash), run (sram), sleep, deep sleep (stop2), wake-up
  cycles           INTEGER NOT NULL,
  seconds          REAL    NOT NULL,
  uj               REAL    NOT NULL,
  share            REAL    NOT NULL,           -- of the run's energy
  current_ua       REAL    NOT NULL
);
CREATE INDEX power_states_run ON power_states(run_id);

-- The power-over-time chart: at most 4096 points per run, in time order.
CREATE TABLE power_timeline (
  run_id           INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  position         INTEGER NOT NULL,
  start_s          REAL    NOT NULL,
  end_s            REAL    NOT NULL,
  mw               REAL    NOT NULL,           -- average power over the point
  state            TEXT    NOT NULL            -- run, sleep, deep-sleep, wake-up
);
CREATE INDEX power_timeline_run ON power_timeline(run_id);
