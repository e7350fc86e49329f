/// \file
/// Clock and memory sweeps (`mcusim sweep`): the same firmware run across the
/// cross product of devices, clocks, flash wait states and cache settings, as
/// separate simulations on a pool of threads (one Simulator, so one Unicorn
/// engine, per thread at a time). Every point goes through session::run, so
/// it is profiled, reported and stored like `mcusim run`; the results come
/// back in list order whatever the number of threads. See docs/cli.md,
/// "mcusim sweep", and docs/power.md, "Clock sweeps".
#pragma once

#include "core/simulator.h"
#include "image/elf_image.h"
#include "session/firmware.h"
#include "power/scenario.h"
#include "profiler/run_report.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace mcusim::session {

/// Why a sweep cannot start: one line and the exit code (kExitBadSweep for an
/// impossible list; the usual codes for an unreadable ELF, a bad device file,
/// a database that cannot be used).
struct SweepError {
  int exit_code = 0;
  std::string message;
};
template <typename T> using SweepExpected = tl::expected<T, SweepError>;

/// The lists as given on the command line, parsed. A list is one or more
/// comma-separated values; an empty list, an empty item or a value that is not
/// one of the option's values is a kExitBadSweep error naming the option.
SweepExpected<std::vector<double>> parse_mhz_list(std::string_view text);       ///< "16,48,80": each > 0
SweepExpected<std::vector<std::string>> parse_name_list(std::string_view option, std::string_view text); ///< "a,b"
SweepExpected<std::vector<unsigned>> parse_flash_ws_list(std::string_view text); ///< "0,1,2": each 0..31
SweepExpected<std::vector<bool>> parse_cache_list(std::string_view text);        ///< "on,off"
/// `--every`: a period as session::parse_period (session/battery.h) reads it, as a kExitBadScenario error.
SweepExpected<double> parse_every(std::string_view text);

/// What to sweep. Empty `devices`: the device chosen from the ELF; empty
/// `flash_ws`: each device's own wait-state table at each clock; empty
/// `caches`: each device's own setting.
struct SweepRequest {
  std::string elf;
  ImageInput image;        ///< --load-address, --symbols (each point loads the image for its device)
  std::vector<std::string> devices;
  std::vector<double> mhz;
  std::vector<unsigned> flash_ws;
  std::vector<bool> caches;
  RunOptions options;      ///< limits, timing, layer pattern...; mhz, flash_ws and caches are set per point
  std::string db;          ///< "" = the default run database
  bool no_db = false;
  /// Battery life: the scenario each point's run is put into (its [run] is
  /// replaced by the point's run; with `sleep_from_device`, its [sleep] by the
  /// device's deep-sleep state). Nothing: no battery column.
  std::optional<power::Scenario> battery;
  bool sleep_from_device = false;
};

/// One point of the cross product.
struct SweepPoint {
  size_t index = 0;          ///< position in list order (devices, then clocks, then wait states, then caches)
  std::string device;        ///< as named on the command line ("" = chosen from the ELF)
  std::string device_name;   ///< the device's own name (the chosen one's too)
  double mhz = 0;
  unsigned flash_ws = 0;     ///< the wait states the point runs with
  bool flash_ws_forced = false; ///< from --flash-ws (else the device's table at this clock)
  std::optional<bool> cache; ///< from --cache (nothing: the device's own setting)
  std::string cache_text;    ///< "on", "off", or "-" for a device with no cache to switch
};

/// The points, checked against each device (a clock above its maximum, an
/// unknown device, wait states for a device without flash: kExitBadSweep).
SweepExpected<std::vector<SweepPoint>> plan_sweep(const SweepRequest &request, const ElfImage &elf);

/// What came of one point.
struct PointResult {
  SweepPoint point;
  int exit_code = 0;            ///< as `mcusim run` would exit (0: ran and exited 0)
  bool ran = false;             ///< the firmware ran (else it failed before, e.g. the image does not fit)
  std::string failure;          ///< why the point failed, one line ("" when exit_code is 0)
  std::optional<RunReport> report;
  std::optional<int64_t> run_id;
  std::optional<double> life_years; ///< battery life, with a battery scenario
  std::string life_note;        ///< why there is no battery life ("" when there is, or no battery was asked for)
  bool ok() const { return exit_code == 0; }
};

/// Stops a sweep from another thread (the front end's signal watcher): no
/// point starts after stop(), and the running ones stop at their next block
/// boundary (StopReason::Stopped, with the cause), are reported and stored.
/// Not for a signal handler (it takes a lock).
class SweepStop {
public:
  void stop(const std::string &cause);
  bool stopped() const;
  std::string cause() const;
  /// run_sweep's points: the simulator one of them runs on from now on, and when it is done.
  void attach(Simulator *sim);
  void detach(Simulator *sim);

private:
  mutable std::mutex mutex_;
  std::vector<Simulator *> running_;
  bool stopped_ = false;
  std::string cause_;
};

/// Progress: points finished and running, out of all. Called on the thread
/// that called run_sweep, never from a worker.
using SweepProgress = std::function<void(size_t done, size_t running, size_t total)>;

/// Runs every point on `jobs` threads (0: the hardware's threads; never more
/// than there are points). Each point's firmware console output is discarded.
/// The database is opened (created, migrated, checked) once before any point
/// runs (a database that cannot be used stops the sweep before it starts);
/// each point stores its run through its own connection, concurrently.
struct SweepRun {
  std::vector<PointResult> results; ///< one per point, in list order
  std::vector<std::string> warnings; ///< once for the whole sweep (a default database that cannot be used)
  std::string db_path;               ///< where the runs were stored ("" = not stored)
};
/// With `stop`, a point that had not started when it was stopped is reported
/// as not run, with the interrupted exit code (75).
SweepExpected<SweepRun> run_sweep(const SweepRequest &request, const std::vector<SweepPoint> &points, unsigned jobs,
                                  const SweepProgress &progress = nullptr, SweepStop *stop = nullptr);

/// The sweep's exit code: 0 when every point ran and exited 0, else the worst
/// point's code, in this order (worst first): internal error (70), fault (71),
/// hang (74), wall-clock timeout (73), limit (72), interrupted (75), image
/// does not fit or other failure before the run (65, 64, 66, 67), database (76),
/// output (79), the firmware's own non-zero exit code. Ties keep list order.
int sweep_exit_code(const std::vector<PointResult> &results);

/// Battery life of one point: `scenario` with its run phase (energy and
/// duration) from the report, and, with `sleep_from_device`, its sleep phase
/// from the device's deep-sleep current. Nothing (and `why`) without energy or
/// when the run is longer than the period.
std::optional<double> point_battery_years(const power::Scenario &scenario, bool sleep_from_device, const RunReport &report,
                                          std::string *why);

} // namespace mcusim::session
