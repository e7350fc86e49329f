/// \file
/// `mcusim eembc` (eembc.h): the run, the EnergyRunner's figures and mcusim's.
#include "session/eembc.h"
#include "session/exit_codes.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

namespace mcusim::session {

using namespace mcusim::cli; // the exit codes

namespace {

/// The front end's hooks, with the simulator kept so the script's end can stop the run.
class EembcHooks final : public SessionHooks {
public:
  explicit EembcHooks(SessionHooks &inner) : inner_(inner) {}
  Console &console() override { return inner_.console(); }
  void message(const Message &m) override { inner_.message(m); }
  void started(const RunStarted &s) override { inner_.started(s); }
  void attach(Simulator *sim) override {
    sim_ = sim;
    inner_.attach(sim);
  }
  void progress(const RunOptions::Progress &p) override { inner_.progress(p); }
  bool wants_progress() const override { return inner_.wants_progress(); }
  void report_text(std::string_view t) override { inner_.report_text(t); }
  void stop(const std::string &cause) {
    if (sim_) sim_->request_stop(cause);
  }

private:
  SessionHooks &inner_;
  Simulator *sim_ = nullptr;
};

constexpr const char *kScriptEnded = "the runner's script ended";

std::optional<double> median(std::vector<double> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string fmt(const char *f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

} // namespace

std::optional<EembcMode> parse_eembc_mode(const std::string &name) {
  if (name == "performance") return EembcMode::Performance;
  if (name == "accuracy") return EembcMode::Accuracy;
  if (name == "energy") return EembcMode::Energy;
  return std::nullopt;
}

const char *eembc_mode_name(EembcMode mode) {
  switch (mode) {
  case EembcMode::Performance: return "performance";
  case EembcMode::Accuracy: return "accuracy";
  case EembcMode::Energy: return "energy";
  }
  return "performance";
}

EembcOutcome run_eembc(const EembcRequest &request, SessionHooks &hooks) {
  EembcOutcome out;
  auto fail = [&](int code, const std::string &message) {
    hooks.message({Message::Kind::Error, message});
    out.exit_code = code;
    out.error = message;
    return out;
  };

  auto mode = parse_eembc_mode(request.mode);
  if (!mode) return fail(kExitUsage, "unknown mode '" + request.mode + "' (performance, accuracy, energy)");
  if (request.input.empty()) return fail(kExitUsage, "no input given (--input SAMPLE.BIN)");
  std::ifstream in(request.input, std::ios::binary);
  if (!in) return fail(kExitNoInput, request.input + ": cannot open the input");
  EembcScript script;
  script.input.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (script.input.empty()) return fail(kExitNoInput, request.input + ": the input is empty");
  // EnergyRunner's scripts: kws01 performance and energy are 5 x (download, infer 10 1); accuracy is infer 1 0 per file.
  const bool accuracy = *mode == EembcMode::Accuracy;
  script.windows = request.windows.value_or(accuracy ? 1 : 5);
  script.iterations = request.iterations.value_or(accuracy ? 1 : 10);
  script.warmups = request.warmups.value_or(accuracy ? 0 : 1);
  if (script.windows == 0 || script.iterations == 0)
    return fail(kExitUsage, "--windows and --iterations must be at least 1");

  EembcHooks eembc_hooks(hooks);
  EembcDriver driver(script, [&] { eembc_hooks.stop(kScriptEnded); });
  RunRequest req = request.run;
  RunOptions &opts = req.options;
  if (!opts.max_cycles) opts.max_cycles = kEembcDefaultMaxCycles;
  opts.profile = true; // the INVOKE markers: cycles and energy per inference
  const std::string uart = request.uart;
  opts.peripheral_io.serial = [&driver, uart](const std::string &name) -> SerialLine * {
    return name == uart ? &driver : nullptr;
  };
  RunOutcome run = session::run(req, eembc_hooks);
  if (!run.ran) {
    out.exit_code = run.exit_code;
    out.error = run.error;
    return out;
  }
  const RunResult &r = *run.result;
  const RunReport &rep = *run.report;
  const EembcReplies &replies = driver.replies();
  const std::string fw = request.run.elf;
  out.transcript = replies.lines;

  if (!replies.error.empty()) {
    if (replies.error_about_input)
      return fail(kExitNoInput, request.input + " (" + std::to_string(script.input.size()) +
                                    " bytes): the firmware refused the input: " + replies.error);
    return fail(kExitBadElf, fw + " answered '" + replies.error_command + "' with an error: " + replies.error);
  }
  if (!replies.finished) {
    const bool interrupted = r.reason == StopReason::Stopped;
    std::string why = r.reason == StopReason::CycleLimit
                          ? "within " + std::to_string(opts.max_cycles) + " cycles (--max-cycles)"
                          : "(the run ended: " + stop_reason_text(r) + (r.reason == StopReason::Exited ? " " + std::to_string(r.exit_code) : "") + ")";
    int code = r.reason == StopReason::Exited ? kExitBadElf : exit_code_for(r);
    if (interrupted) return fail(code, "the runner's script was interrupted: " + stop_reason_text(r));
    if (!replies.ready_seen) return fail(code, fw + " never said m-ready " + why + ": not a runner firmware on " + uart + "?");
    return fail(code, fw + " stopped answering the runner " + why);
  }

  EembcResult res;
  res.firmware = fw;
  res.device = rep.device;
  res.mode = eembc_mode_name(*mode);
  res.replies = replies;
  res.iterations = script.iterations;
  res.warmups = script.warmups;
  std::vector<double> latencies, rates;
  for (const auto &w : replies.windows) {
    if (!w.has_results) return fail(kExitBadElf, fw + " printed no m-results-[...] after 'infer'");
    auto e = w.elapsed_us();
    if (!e) {
      if (*mode == EembcMode::Performance)
        return fail(kExitBadElf, fw + " printed no pair of m-lap-us timestamps around the inferences (performance mode needs them)");
      continue;
    }
    latencies.push_back(double(*e) / script.iterations);
    if (*e > 0) rates.push_back(script.iterations * 1e6 / double(*e));
  }
  res.median_latency_us = median(latencies);
  res.median_inferences_per_second = median(rates);
  res.results = replies.windows.back().results;
  if (!res.results.empty())
    res.top_class = size_t(std::max_element(res.results.begin(), res.results.end()) - res.results.begin());

  res.mhz = r.hz / 1e6;
  res.cycles = r.cycles;
  res.inferences = rep.layer_invocations;
  if (rep.layer_invocations && rep.invocation_cycles) {
    res.cycles_per_inference = double(rep.invocation_cycles) / double(rep.layer_invocations);
    res.us_per_inference = *res.cycles_per_inference / res.mhz;
  }
  // The windows in mcusim's cycles, from the th_timestamp activations (one per lap line).
  std::vector<uint64_t> stamps;
  if (r.profile) {
    for (const auto &c : r.profile->calls)
      if (c.func < r.profile->functions.size() && r.profile->functions[c.func].name == "th_timestamp" && !c.exception)
        stamps.push_back(c.start);
  }
  const bool paired = r.profile && !r.profile->calls_truncated && stamps.size() == replies.laps;
  std::vector<double> window_us;
  for (const auto &w : replies.windows) {
    std::optional<uint64_t> cycles;
    if (paired && w.lap_ordinals.size() >= 2) cycles = stamps[w.lap_ordinals.back()] - stamps[w.lap_ordinals.front()];
    res.window_cycles.push_back(cycles);
    if (cycles) window_us.push_back(double(*cycles) / res.mhz / script.iterations);
  }
  res.window_us_per_inference = median(window_us);
  if (rep.energy) {
    res.average_mw = rep.energy->average_mw;
    if (rep.uj_per_inference) {
      res.uj_per_inference = rep.uj_per_inference;
      res.uj_per_window = *rep.uj_per_inference * script.iterations;
    }
  } else {
    res.energy_note = rep.energy_note.empty() ? "no energy figures" : rep.energy_note;
  }
  if (*mode == EembcMode::Energy && !res.uj_per_inference)
    return fail(kExitNoPower, "energy mode: " + (rep.energy ? std::string("the firmware marks no inferences (INVOKE markers)") : res.energy_note));
  out.result = std::move(res);
  return out;
}

std::string render_eembc_text(const EembcResult &r) {
  std::ostringstream os;
  os << "EEMBC runner, " << r.mode << " mode: " << r.firmware << " on " << r.device << "\n";
  os << "  device       " << (r.replies.name.empty() ? "?" : r.replies.name) << ", profile "
     << (r.replies.profile.empty() ? "?" : r.replies.profile) << ", model " << (r.replies.model.empty() ? "?" : r.replies.model)
     << "\n";
  os << "  windows      " << r.replies.windows.size() << " x infer " << r.iterations << " " << r.warmups << "\n";
  size_t i = 0;
  for (const auto &w : r.replies.windows) {
    ++i;
    if (auto e = w.elapsed_us())
      os << "  window " << i << "     " << *e << " us for " << r.iterations << " inferences, "
         << fmt("%.3f", double(*e) / r.iterations) << " us each, " << fmt("%.3f", r.iterations * 1e6 / double(*e))
         << " inf./sec.\n";
  }
  if (r.median_latency_us) os << "  median latency " << fmt("%.3f", *r.median_latency_us) << " us per inference (the firmware's timestamps)\n";
  if (r.median_inferences_per_second) os << "  throughput   " << fmt("%.3f", *r.median_inferences_per_second) << " inf./sec. (median)\n";
  os << "  m-results    [";
  for (size_t k = 0; k < r.results.size(); ++k) os << (k ? "," : "") << fmt("%.3f", r.results[k]);
  os << "]";
  if (r.top_class) os << "  top class " << *r.top_class;
  os << "\n";
  os << "mcusim, at " << fmt("%g", r.mhz) << " MHz:\n";
  if (r.cycles_per_inference)
    os << "  per inference " << fmt("%.0f", *r.cycles_per_inference) << " cycles, " << fmt("%.3f", *r.us_per_inference)
       << " us (" << r.inferences << " invocations between INVOKE markers, warm-ups included)\n";
  else
    os << "  per inference unknown: the firmware marks no inferences (INVOKE markers)\n";
  if (r.window_us_per_inference)
    os << "  window       " << fmt("%.3f", *r.window_us_per_inference)
       << " us per inference (median; th_timestamp to th_timestamp: the firmware's window in simulated cycles)\n";
  if (r.uj_per_inference)
    os << "  energy       " << fmt("%.3f", *r.uj_per_inference) << " uJ per inference, " << fmt("%.3f", *r.uj_per_window)
       << " uJ per window of " << r.iterations << "\n";
  else if (!r.energy_note.empty())
    os << "  energy       unknown: " << r.energy_note << "\n";
  os << "  run          " << r.cycles << " cycles in all\n";
  return os.str();
}

std::string render_eembc_json(const EembcResult &r) {
  using nlohmann::ordered_json;
  auto opt = [](const std::optional<double> &v) { return v ? ordered_json(*v) : ordered_json(nullptr); };
  ordered_json windows = ordered_json::array();
  for (size_t k = 0; k < r.replies.windows.size(); ++k) {
    const auto &w = r.replies.windows[k];
    auto e = w.elapsed_us();
    ordered_json cycles = nullptr;
    if (k < r.window_cycles.size() && r.window_cycles[k].has_value()) cycles = r.window_cycles[k].value();
    windows.push_back({{"laps_us", w.laps_us},
                       {"elapsed_us", e ? ordered_json(*e) : ordered_json(nullptr)},
                       {"latency_us", e ? ordered_json(double(*e) / r.iterations) : ordered_json(nullptr)},
                       {"inferences_per_second", e && *e ? ordered_json(r.iterations * 1e6 / double(*e)) : ordered_json(nullptr)},
                       {"results", w.results},
                       {"mcusim_cycles", cycles}});
  }
  ordered_json j = {
      {"firmware", r.firmware},
      {"device", r.device},
      {"mode", r.mode},
      {"dut", {{"name", r.replies.name}, {"profile", r.replies.profile}, {"model", r.replies.model}}},
      {"iterations", r.iterations},
      {"warmups", r.warmups},
      {"windows", windows},
      {"median_latency_us", opt(r.median_latency_us)},
      {"median_inferences_per_second", opt(r.median_inferences_per_second)},
      {"results", r.results},
      {"top_class", r.top_class ? ordered_json(*r.top_class) : ordered_json(nullptr)},
      {"mcusim",
       {{"mhz", r.mhz},
        {"cycles", r.cycles},
        {"inferences", r.inferences},
        {"cycles_per_inference", opt(r.cycles_per_inference)},
        {"us_per_inference", opt(r.us_per_inference)},
        {"window_us_per_inference", opt(r.window_us_per_inference)},
        {"uj_per_inference", opt(r.uj_per_inference)},
        {"uj_per_window", opt(r.uj_per_window)},
        {"average_mw", opt(r.average_mw)},
        {"energy_note", r.energy_note.empty() ? ordered_json(nullptr) : ordered_json(r.energy_note)}}},
  };
  return j.dump(2) + "\n";
}

} // namespace mcusim::session
