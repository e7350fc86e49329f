/// \file
/// `mcusim calibrate`: captures, simulated runs, the fit and the fitted device file.
#include "session/calibrate.h"
#include "session/exit_codes.h"
#include "session/output_file.h"
#include "session/session.h"

#include "core/console.h"
#include "core/simulator.h"
#include "image/elf_image.h"
#include "peripherals/models.h"
#include "power/calibrate.h"
#include "power/calibrate_device.h"
#include "power/toml_reader.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>

namespace mcusim::session {

using namespace mcusim::cli; // the exit codes

namespace {

/// The firmware's console during calibration runs: output discarded, no input.
class QuietConsole final : public Console {
public:
  void out(std::string_view) override {}
  void err(std::string_view) override {}
  size_t in(char *, size_t) override { return 0; }
};

std::string clock_text(double mhz) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g MHz", mhz);
  return buf;
}

/// YYYY-MM-DD (UTC) of the newest capture file.
std::string capture_date(const std::vector<CalibrateCapture> &captures) {
  std::filesystem::file_time_type newest{};
  bool any = false;
  for (const auto &c : captures) {
    std::error_code ec;
    auto t = std::filesystem::last_write_time(c.file, ec);
    if (!ec && (!any || t > newest)) newest = t, any = true;
  }
  if (!any) return "an unknown date";
  auto sys = std::chrono::file_clock::to_sys(newest);
  std::time_t tt = std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::system_clock::duration>(sys));
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

} // namespace

bool parse_capture_spec(const std::string &spec, CalibrateCapture *out, std::string *error) {
  size_t at = spec.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == spec.size()) {
    *error = "--capture " + spec + ": give the capture and the clock it was taken at, as FILE@MHZ (cap.csv@48)";
    return false;
  }
  std::string clock = spec.substr(at + 1);
  if (clock.size() > 3 && (clock.compare(clock.size() - 3, 3, "MHz") == 0 || clock.compare(clock.size() - 3, 3, "mhz") == 0))
    clock.resize(clock.size() - 3);
  char *end = nullptr;
  double mhz = std::strtod(clock.c_str(), &end);
  if (clock.empty() || end != clock.c_str() + clock.size() || !std::isfinite(mhz) || !(mhz > 0)) {
    *error = "--capture " + spec + ": the clock '" + spec.substr(at + 1) + "' is not a positive number of MHz";
    return false;
  }
  out->file = spec.substr(0, at);
  out->mhz = mhz;
  return true;
}

CalibrateOutcome calibrate(const CalibrateRequest &req) {
  CalibrateOutcome out;
  auto fail = [&](int code, const std::string &message) {
    out.exit_code = code;
    out.error = message;
    return out;
  };
  if (req.captures.empty()) return fail(kExitUsage, "no --capture given (FILE@MHZ, one per clock)");
  if (req.output.empty()) return fail(kExitUsage, "no output device file given (-o FILE)");

  // --- Every input read and the output checked before anything runs ---
  std::vector<power::Capture> captures;
  for (const auto &c : req.captures) {
    auto cap = power::load_capture(c.file, req.format);
    if (!cap) return fail(cap.error().kind == power::PowerError::Kind::Unreadable ? kExitNoInput : kExitBadCapture, cap.error().message);
    captures.push_back(std::move(*cap));
  }
  if (req.elf.empty()) return fail(kExitUsage, "no firmware ELF given");
  auto elf = load_firmware(req.elf, req.image, req.device);
  if (!elf) return fail(exit_code_for(elf.error().kind), elf.error().message);
  for (const auto &w : elf->warnings) out.warnings.push_back(w);
  std::string explanation;
  auto device = resolve_device(req.device, *elf, &explanation);
  if (!device) return fail(exit_code_for(device.error().kind), device.error().message);
  if (device->file.empty()) return fail(kExitBadDevice, "device " + device->name + " has no device file to write a fitted copy of");
  auto text = power::read_text_file(device->file.string(), "device file");
  if (!text) return fail(text.error().kind == power::PowerError::Kind::Unreadable ? kExitNoInput : kExitBadDevice, text.error().message);
  auto figures = power::read_power_figures(*text, device->file.string());
  if (!figures) return fail(kExitBadDevice, figures.error().message);
  OutputFile output;
  std::string error;
  if (!output.open(req.output, &error)) return fail(kExitOutput, error);

  // --- One run per clock, as long as the longest capture at that clock ---
  std::map<double, double> seconds_at; // MHz -> longest capture
  for (size_t i = 0; i < captures.size(); ++i)
    seconds_at[req.captures[i].mhz] = std::max(seconds_at[req.captures[i].mhz], captures[i].duration_s());
  std::map<double, power::SimulatedRun> runs;
  bool counters_missing = false;
  for (const auto &[mhz, seconds] : seconds_at) {
    QuietConsole console;
    RunOptions opts;
    opts.mhz = mhz;
    opts.timeout_seconds = req.timeout_seconds;
    opts.cmdline = std::filesystem::path(req.elf).filename().string();
    bool own_limit = req.max_cycles == 0;
    opts.max_cycles = own_limit ? uint64_t(std::ceil(seconds * mhz * 1e6)) + 1 : req.max_cycles;
    opts.on_progress = nullptr;
    opts.peripherals = peripherals::make_bus_factory(*device, {false, [](const std::string &) {}});
    auto sim = Simulator::create(*device, *elf, opts, console);
    if (!sim) return fail(exit_code_for(sim.error().kind), "at " + clock_text(mhz) + ": " + sim.error().message);
    RunResult r = (*sim)->run();
    bool ok = (r.reason == StopReason::Exited && r.exit_code == 0) || (own_limit && r.reason == StopReason::CycleLimit);
    if (!ok) {
      std::string why = r.reason == StopReason::Exited ? "exited with code " + std::to_string(r.exit_code)
                                                       : std::string(stop_reason_name(r.reason)) + (r.message.empty() ? "" : ": " + r.message);
      return fail(exit_code_for(r) ? exit_code_for(r) : kExitInternal, "the run at " + clock_text(mhz) + " " + why);
    }
    runs[mhz] = power::simulated_run(r.power, r.hz, r.cycles, r.sleep_cycles);
    counters_missing = counters_missing || !runs[mhz].counters;
  }
  if (counters_missing)
    out.warnings.push_back("the simulator kept no power counters: every run cycle is counted as flash and every sleep cycle as "
                           "light sleep");

  // --- Pair each capture with its run ---
  uint64_t sleep_cycles = 0, deep_cycles = 0;
  for (const auto &[mhz, r] : runs) sleep_cycles += r.sleep_cycles, deep_cycles += r.deep_sleep_cycles;
  const bool deep = deep_cycles > sleep_cycles;
  std::vector<power::CalibrationPoint> points;
  std::string header = "mcusim calibrate: " + std::filesystem::path(req.elf).filename().string() + " on " + device->name + ", " +
                       std::to_string(captures.size()) + " capture" + (captures.size() == 1 ? "" : "s") + "\n";
  std::string from;
  for (size_t i = 0; i < captures.size(); ++i) {
    const auto &cap = captures[i];
    const double mhz = req.captures[i].mhz;
    const power::SimulatedRun &run = runs[mhz];
    const std::string name = std::filesystem::path(cap.file).filename().string();
    power::Segmentation seg;
    points.push_back(power::calibration_point(cap, name + "@" + clock_text(mhz), mhz, run, &seg));
    char buf[512], asleep[64] = "";
    if (seg.two_levels) std::snprintf(asleep, sizeof asleep, " at %.6g µA", seg.sleep_mean_a * 1e6);
    std::snprintf(buf, sizeof buf,
                  "  %s@%g: %s, %zu samples over %.6g s; active %.6g s at %.6g µA, asleep %.6g s%s; simulated: active %.6g s, "
                  "asleep %.6g s, %.1f%% of run cycles from flash\n",
                  name.c_str(), mhz, power::capture_format_name(cap.format), cap.size(), cap.duration_s(), seg.active_s,
                  seg.active_mean_a * 1e6, seg.sleep_s, asleep, run.active_s, run.sleep_s, 100 * run.flash_share);
    header += buf;
    if (run.sleep_s > 0 && !seg.two_levels)
      out.warnings.push_back(cap.file + ": the simulated run sleeps but the capture shows a single level: all of it is taken as active");
    from += (from.empty() ? "" : ", ") + name + "@" + clock_text(mhz);
  }

  // --- The fit and the fitted file ---
  auto fit = power::fit_calibration(points, *figures ? &**figures : nullptr, deep, req.mode);
  if (!fit) return fail(kExitNoPower, device->name + ": " + fit.error().message);
  char residual[32];
  std::snprintf(residual, sizeof residual, "%.2f%%", 100 * fit->rms_rel);
  const std::string date = req.date.empty() ? capture_date(req.captures) : req.date;
  const std::string source = "fitted by mcusim calibrate from " + from + " on " + date + ", residual " + residual;
  auto written = power::write_fitted_device(*text, device->file.string(), *fit, source);
  if (!written) return fail(kExitBadDevice, written.error().message);
  if (!output.write(*written, &error)) return fail(kExitOutput, error);

  out.text = header + power::render_calibration(*fit);
  if (!*figures) out.text += "note: " + device->name + " has no [power] section: the fitted file gets a new one (voltage_v 3.0 V, a default)\n";
  out.text += "wrote " + req.output + " (source: \"" + source + "\")\n";
  return out;
}

} // namespace mcusim::session
