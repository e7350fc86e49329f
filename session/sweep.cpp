/// \file
/// Clock and memory sweeps: the lists, the points, the thread pool.
#include "session/sweep.h"

#include "session/battery.h"

#include "session/exit_codes.h"
#include "session/recorder.h"
#include "session/session.h"

#include "power/projection.h"
#include "profiler/call_tracker.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

namespace mcusim::session {

using namespace mcusim::cli; // the exit codes

namespace {

tl::unexpected<SweepError> bad(std::string message) { return tl::unexpected(SweepError{kExitBadSweep, std::move(message)}); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// The items of a comma-separated list, trimmed; an empty list or item is an error.
SweepExpected<std::vector<std::string>> split_list(std::string_view option, std::string_view text) {
  if (trim(text).empty()) return bad(std::string(option) + ": the list is empty");
  std::vector<std::string> items;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string_view item = trim(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (item.empty()) return bad(std::string(option) + " '" + std::string(text) + "': an empty item in the list");
    items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return items;
}

/// A whole item as a finite number.
std::optional<double> to_number(const std::string &item) {
  char *end = nullptr;
  errno = 0;
  double v = std::strtod(item.c_str(), &end);
  if (end == item.c_str() || *end != '\0' || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string mhz_text(double mhz) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", mhz);
  return buf;
}

bool is_device_path(const std::string &name) {
  return name.find('/') != std::string::npos || (name.size() > 5 && name.compare(name.size() - 5, 5, ".toml") == 0);
}

/// Discards the firmware's output (points run at once; their consoles would
/// interleave) and gives it no input.
class NullConsole final : public Console {
public:
  void out(std::string_view) override {}
  void err(std::string_view) override {}
  size_t in(char *, size_t) override { return 0; }
};

/// A point's session: no progress timer; its simulator handed to the sweep's stop.
class PointHooks final : public SessionHooks {
public:
  explicit PointHooks(SweepStop *stop) : stop_(stop) {}
  Console &console() override { return console_; }
  bool wants_progress() const override { return false; }
  void attach(Simulator *sim) override {
    if (!stop_) return;
    if (sim) stop_->attach(sim);
    else if (current_) stop_->detach(current_);
    current_ = sim;
  }

private:
  NullConsole console_;
  SweepStop *stop_;
  Simulator *current_ = nullptr;
};

/// Why a point that ran did not end well, one line.
std::string run_failure(const RunOutcome &o) {
  if (!o.result) return o.error;
  const RunResult &r = *o.result;
  if (r.reason == StopReason::Exited) {
    if (r.exit_code != 0) return "exited with code " + std::to_string(r.exit_code);
    return o.error; // the database or an output after a good run
  }
  if (r.fault) return r.fault->kind + ": " + r.fault->cause;
  if (!r.message.empty()) return r.message;
  return stop_reason_text(r);
}

PointResult run_point(const SweepRequest &req, const SweepPoint &p, bool no_db, SweepStop *stop) {
  PointResult pr;
  pr.point = p;
  RunRequest run;
  run.elf = req.elf;
  run.image = req.image;
  run.device = p.device;
  run.quiet = true;
  run.db = req.db;
  run.no_db = no_db;
  run.options = req.options;
  run.options.mhz = p.mhz;
  if (p.flash_ws_forced) run.options.flash_ws = p.flash_ws;
  else run.options.flash_ws.reset();
  run.options.caches = p.cache;
  // Profiled: layers give inferences, and every stored run carries its functions.
  run.options.profile = true;
  run.options.profile_listener = [] { return std::make_unique<CallTracker>(); };
  PointHooks hooks(stop);
  try {
    RunOutcome o = session::run(run, hooks);
    pr.exit_code = o.exit_code;
    pr.ran = o.ran;
    pr.report = std::move(o.report);
    pr.run_id = o.run_id;
    if (o.exit_code != kExitOk) pr.failure = run_failure(o);
  } catch (const std::exception &e) {
    pr.exit_code = kExitInternal;
    pr.failure = std::string("internal error: ") + e.what();
  }
  return pr;
}

/// How bad a point's exit code is (higher: worse).
int severity(int code) {
  switch (code) {
  case kExitOk: return 0;
  case kExitInternal: return 100;
  case kExitFault: return 90;
  case kExitHang: return 80;
  case kExitTimeout: return 70;
  case kExitLimit: return 60;
  case kExitInterrupted: return 50;
  case kExitBadElf:
  case kExitUsage:
  case kExitNoInput:
  case kExitBadDevice: return 40;
  case kExitDatabase: return 30;
  case kExitOutput: return 20;
  default: return 10; // the firmware's own exit code
  }
}

} // namespace

SweepExpected<std::vector<double>> parse_mhz_list(std::string_view text) {
  auto items = split_list("--mhz", text);
  if (!items) return tl::unexpected(items.error());
  std::vector<double> out;
  for (const auto &item : *items) {
    auto v = to_number(item);
    if (!v) return bad("--mhz " + item + ": not a number of MHz");
    if (*v <= 0) return bad("--mhz " + item + ": a clock must be above 0 MHz");
    out.push_back(*v);
  }
  return out;
}

SweepExpected<std::vector<std::string>> parse_name_list(std::string_view option, std::string_view text) {
  return split_list(option, text);
}

SweepExpected<std::vector<unsigned>> parse_flash_ws_list(std::string_view text) {
  auto items = split_list("--flash-ws", text);
  if (!items) return tl::unexpected(items.error());
  std::vector<unsigned> out;
  for (const auto &item : *items) {
    auto v = to_number(item);
    if (!v || *v != std::floor(*v) || *v < 0 || *v > 31) return bad("--flash-ws " + item + ": wait states are a whole number from 0 to 31");
    out.push_back(unsigned(*v));
  }
  return out;
}

SweepExpected<std::vector<bool>> parse_cache_list(std::string_view text) {
  auto items = split_list("--cache", text);
  if (!items) return tl::unexpected(items.error());
  std::vector<bool> out;
  for (const auto &item : *items) {
    if (item == "on") out.push_back(true);
    else if (item == "off") out.push_back(false);
    else return bad("--cache " + item + ": a cache setting is on or off");
  }
  return out;
}

SweepExpected<double> parse_every(std::string_view text) {
  auto v = parse_period(text); // session/battery.h: the one reader of periods
  if (!v) return tl::unexpected(SweepError{kExitBadScenario, "--every " + std::string(trim(text)) + ": " + v.error()});
  return *v;
}

SweepExpected<std::vector<SweepPoint>> plan_sweep(const SweepRequest &req, const ElfImage &elf) {
  if (req.mhz.empty()) return bad("--mhz: the list is empty");
  struct Named {
    std::string given;
    Device device;
  };
  std::vector<Named> devices;
  std::vector<std::string> names = req.devices.empty() ? std::vector<std::string>{""} : req.devices;
  for (const auto &name : names) {
    auto d = resolve_device(name, elf, nullptr);
    if (!d) {
      // A device file that cannot be read or parsed keeps its own code; an unknown name is an impossible point.
      if (!name.empty() && !is_device_path(name)) return bad("--device " + name + ": " + d.error().message);
      return tl::unexpected(SweepError{exit_code_for(d.error().kind), d.error().message});
    }
    devices.push_back({name, std::move(*d)});
  }
  for (const auto &[given, d] : devices) {
    for (double mhz : req.mhz)
      if (mhz > d.max_mhz + 1e-9)
        return bad("--mhz " + mhz_text(mhz) + ": above " + d.name + "'s maximum of " + mhz_text(d.max_mhz) + " MHz");
    if (!req.flash_ws.empty() && d.capacity({RegionKind::Flash}) == 0)
      return bad("--flash-ws: " + d.name + " has no flash to put wait states on");
  }
  std::vector<SweepPoint> points;
  std::vector<std::optional<unsigned>> wait_states;
  if (req.flash_ws.empty()) wait_states.push_back(std::nullopt);
  for (unsigned ws : req.flash_ws) wait_states.push_back(ws);
  std::vector<std::optional<bool>> caches;
  if (req.caches.empty()) caches.push_back(std::nullopt);
  for (bool c : req.caches) caches.push_back(c);
  for (const auto &[given, d] : devices)
    for (double mhz : req.mhz)
      for (const auto &ws : wait_states)
        for (const auto &cache : caches) {
          SweepPoint p;
          p.index = points.size();
          p.device = given;
          p.device_name = d.name;
          p.mhz = mhz;
          p.flash_ws_forced = ws.has_value();
          p.flash_ws = ws ? *ws : d.flash.ws_at(mhz);
          p.cache = cache;
          // As the memory system decides (memory/memory_system.cpp): L1 on unless turned off, else the accelerator's own setting.
          if (d.l1) p.cache_text = cache.value_or(true) ? "on" : "off";
          else if (d.accelerator) p.cache_text = cache.value_or(d.accelerator->enabled) ? "on" : "off";
          else p.cache_text = "-";
          points.push_back(std::move(p));
        }
  return points;
}

void SweepStop::stop(const std::string &cause) {
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  stopped_ = true;
  cause_ = cause;
  for (Simulator *sim : running_) sim->request_stop(cause_);
}

bool SweepStop::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

std::string SweepStop::cause() const {
  std::lock_guard lock(mutex_);
  return cause_;
}

void SweepStop::attach(Simulator *sim) {
  std::lock_guard lock(mutex_);
  running_.push_back(sim);
  if (stopped_) sim->request_stop(cause_);
}

void SweepStop::detach(Simulator *sim) {
  std::lock_guard lock(mutex_);
  running_.erase(std::remove(running_.begin(), running_.end(), sim), running_.end());
}

SweepExpected<SweepRun> run_sweep(const SweepRequest &req, const std::vector<SweepPoint> &points, unsigned jobs,
                                  const SweepProgress &progress, SweepStop *stop) {
  SweepRun out;
  // The database once, before any point runs: created and migrated here, so
  // the points' own connections only add runs to it.
  bool no_db = req.no_db;
  {
    Recorder recorder;
    std::vector<Message> messages;
    int rc = recorder.open(req.db, req.no_db, [&](Message m) { messages.push_back(std::move(m)); });
    if (rc != kExitOk) return tl::unexpected(SweepError{rc, messages.empty() ? "the run database cannot be used" : messages.back().text});
    for (const auto &m : messages) out.warnings.push_back(m.text);
    if (!recorder.active()) no_db = true; // not asked for, or a default database that cannot be used (warned above)
    else out.db_path = recorder.path();
  }

  out.results.resize(points.size());
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  jobs = unsigned(std::min<size_t>(jobs, std::max<size_t>(points.size(), 1)));

  std::mutex mutex;
  std::condition_variable changed;
  size_t next = 0, done = 0, running = 0;
  std::vector<char> started(points.size(), 0);
  auto worker = [&] {
    while (true) {
      size_t i;
      {
        std::lock_guard lock(mutex);
        if (next == points.size() || (stop && stop->stopped())) {
          done += points.size() - next; // never started
          next = points.size();
          changed.notify_one();
          return;
        }
        i = next++;
        started[i] = 1;
        ++running;
      }
      changed.notify_one();
      PointResult r = run_point(req, points[i], no_db, stop);
      {
        std::lock_guard lock(mutex);
        out.results[i] = std::move(r); // each slot written by one worker, read after the joins
        --running;
        ++done;
      }
      changed.notify_one();
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(jobs);
  for (unsigned t = 0; t < jobs; ++t) threads.emplace_back(worker);
  {
    std::unique_lock lock(mutex);
    size_t shown_done = SIZE_MAX, shown_running = SIZE_MAX;
    while (done < points.size()) {
      if (progress && (done != shown_done || running != shown_running)) {
        shown_done = done;
        shown_running = running;
        size_t d = done, r = running;
        lock.unlock();
        progress(d, r, points.size());
        lock.lock();
      }
      changed.wait_for(lock, std::chrono::milliseconds(200));
    }
  }
  for (auto &t : threads) t.join();
  if (progress) progress(points.size(), 0, points.size());
  for (size_t i = 0; i < points.size(); ++i)
    if (!started[i]) {
      out.results[i].point = points[i];
      out.results[i].exit_code = kExitInterrupted;
      out.results[i].failure = "not run: " + (stop ? stop->cause() : std::string("stopped"));
    }

  if (req.battery)
    for (auto &r : out.results)
      if (r.ok() && r.report) r.life_years = point_battery_years(*req.battery, req.sleep_from_device, *r.report, &r.life_note);
  return out;
}

int sweep_exit_code(const std::vector<PointResult> &results) {
  int worst = kExitOk;
  for (const auto &r : results)
    if (severity(r.exit_code) > severity(worst)) worst = r.exit_code;
  return worst;
}

std::optional<double> point_battery_years(const power::Scenario &scenario, bool sleep_from_device, const RunReport &report,
                                          std::string *why) {
  auto say = [&](std::string s) {
    if (why) *why = std::move(s);
    return std::nullopt;
  };
  if (!report.energy) return say(report.energy_note.empty() ? "no energy figures" : report.energy_note);
  // The run phase as `mcusim battery` makes it (session/battery.h): one
  // inference per period when layers give inferences, else one run.
  power::Scenario s = scenario;
  if (sleep_from_device) {
    s.sleep = power::SleepPhase{};
    s.sleep.current_ua = report.energy->model.deep_sleep_ua;
    s.sleep.mode = report.energy->model.deep_sleep_name;
  }
  s.given.sleep = true;
  auto p = project_run(report, std::move(s), BatteryOptions{}, nullptr);
  if (!p) return say(p.error().message);
  return p->projection.life_years;
}

} // namespace mcusim::session
