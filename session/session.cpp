/// \file
/// The run pipeline shared by the front ends.
#include "session/session.h"
#include "session/gate.h"
#include "session/gpio_trace.h"
#include "session/output_file.h"
#include "session/recorder.h"
#include "session/serial_lines.h"

#include "session/exit_codes.h"
#include "base/device.h"
#include "image/elf_image.h"
#include "base/format.h"
#include "profiler/timeline.h"
#include "profiler/call_tracker.h"
#include "peripherals/models.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>

namespace mcusim::session {

using namespace mcusim::cli; // the exit codes

namespace {

/// --core: the core and the FPU that goes with it. False if the name is not a core.
bool override_core(Device &device, const std::string &name) {
  auto core = parse_core(name);
  if (!core) return false;
  device.core = *core;
  // M0+/M3/M4 have no FPU; M4F/M7/M33 get their usual one.
  if (*core == CoreKind::M0plus || *core == CoreKind::M3 || *core == CoreKind::M4) device.fpu = "none";
  else if (!device.has_fpu()) device.fpu = *core == CoreKind::M7 ? "fpv5-d16" : *core == CoreKind::M33 ? "fpv5-sp-d16" : "fpv4-sp-d16";
  if (*core != CoreKind::M7) device.l1.reset();
  return true;
}

/// The front end's console with the firmware's stdout going to a file.
class FileConsole final : public Console {
public:
  explicit FileConsole(Console &inner) : inner_(inner) {}
  /// The file, from the start of the run (it keeps its old content until then).
  void start(std::FILE *file) { file_ = file; }
  void out(std::string_view t) override {
    if (file_) std::fwrite(t.data(), 1, t.size(), file_);
  }
  void err(std::string_view t) override { inner_.err(t); }
  size_t in(char *buf, size_t n) override {
    if (file_) std::fflush(file_);
    return inner_.in(buf, n);
  }
  bool in_is_tty() const override { return inner_.in_is_tty(); }

private:
  Console &inner_;
  std::FILE *file_ = nullptr;
};

std::string render(const RunReport &rep, const std::string &format) {
  return format == "json"       ? render_json(rep)
         : format == "markdown" ? render_markdown(rep)
         : format == "html"     ? render_html(rep)
                                : render_text(rep);
}

/// What prices the run on `device` at `mhz`: the request's mode, deep-sleep
/// state, voltage and temperature (default: the figures' reference temperature).
power::EnergyOptions energy_options(const RunRequest &req, const Device &device, double mhz) {
  power::EnergyOptions eo;
  eo.mhz = mhz;
  eo.mode = req.power_mode;
  eo.deep_sleep = req.deep_sleep;
  eo.voltage_v = req.voltage_v;
  eo.temperature_c = req.temperature_c ? *req.temperature_c : device.power ? device.power->reference_c : eo.temperature_c;
  return eo;
}

std::string summary_line(const RunResult &r) {
  std::string how = r.reason == StopReason::Exited    ? "exited with code " + std::to_string(r.exit_code)
                    : r.reason == StopReason::Stopped ? stop_reason_text(r)
                                                      : std::string("stopped (") + stop_reason_name(r.reason) + ")";
  char clock[96], wall[64];
  std::snprintf(clock, sizeof clock, "%.6f s at %g MHz", r.simulated_seconds(), r.hz / 1e6);
  // Under 0.1 s of wall time the MIPS figure says more about start-up than about the simulator.
  if (r.mips_known()) std::snprintf(wall, sizeof wall, "in %.3f s wall, %.0f MIPS", r.wall_seconds, r.mips());
  else std::snprintf(wall, sizeof wall, "in %.3f s wall", r.wall_seconds);
  return how + " after " + text::thousands(r.instructions) + " instructions, " + text::thousands(r.cycles) + " cycles (" + clock +
         (r.sleep_cycles ? ", " + text::thousands(r.sleep_cycles) + " cycles asleep" : "") + ") " + wall;
}

} // namespace

Expected<Device> resolve_device(const std::string &name, const ElfImage &elf, std::string *explanation) {
  if (!name.empty()) {
    // A device file that is not there is an input that cannot be read (66), as for every other file.
    bool is_path = name.find('/') != std::string::npos || (name.size() > 5 && name.compare(name.size() - 5, 5, ".toml") == 0);
    std::error_code ec;
    if (is_path && !std::filesystem::exists(name, ec)) return make_error(ErrorKind::FileUnreadable, name + ": no such device file");
    return find_device(name);
  }
  auto choice = choose_device_for(elf);
  if (!choice) return tl::unexpected(choice.error());
  if (explanation) *explanation = choice->explanation;
  return choice->device;
}

bool machine_report_on_stdout(const RunRequest &r) { return r.report_format == "json" && r.report_out.empty(); }

bool projection_on_stderr(const RunRequest &r) {
  return r.report_out.empty() && (r.report_format == "json" || r.report_format == "html");
}

ConsoleTarget console_target(const RunRequest &r) {
  if (!r.console_file.empty()) return ConsoleTarget::File;
  return machine_report_on_stdout(r) ? ConsoleTarget::Stderr : ConsoleTarget::Stdout;
}

int exit_code_for(ErrorKind kind) {
  switch (kind) {
  case ErrorKind::Usage: return kExitUsage;
  case ErrorKind::FileUnreadable: return kExitNoInput;
  case ErrorKind::BadElf: return kExitBadElf;
  case ErrorKind::BadDevice: return kExitBadDevice;
  case ErrorKind::Internal: return kExitInternal;
  }
  return kExitInternal;
}

int exit_code_for(const RunResult &r) {
  switch (r.reason) {
  case StopReason::Exited: return r.exit_code & 0xFF;
  case StopReason::Fault:
  case StopReason::Lockup: return kExitFault;
  case StopReason::InstructionLimit:
  case StopReason::CycleLimit: return kExitLimit;
  case StopReason::WallTimeout: return kExitTimeout;
  case StopReason::Hang: return kExitHang;
  case StopReason::Stopped: return kExitInterrupted;
  case StopReason::Internal: return kExitInternal;
  }
  return kExitInternal;
}

RunOutcome run(const RunRequest &req, SessionHooks &hooks) {
  RunOutcome out;
  auto emit = [&](Message m) {
    hooks.message(m);
    out.messages.push_back(std::move(m));
  };
  auto fail = [&](int code, const std::string &message) {
    emit({Message::Kind::Error, message});
    out.exit_code = code;
    out.error = message;
    return std::move(out);
  };
  // A later failure keeps the first one's code: the firmware's own failure
  // (fault, limit, non-zero exit) wins over a broken budget, a database or an output problem.
  auto also = [&](int code) {
    if (out.exit_code == kExitOk) out.exit_code = code;
  };

  // --- Before the run: every input read, every output and the database checked ---
  Gate gate;
  std::string error;
  if (int rc = gate.load(req.budget, req.baseline, &error, !req.scenario.empty()); rc != kExitOk) return fail(rc, error);
  BatteryOptions battery_options;
  std::optional<power::Scenario> scenario;
  if (!req.scenario.empty()) {
    battery_options.scenario_file = req.scenario;
    auto s = prepare_battery_scenario(battery_options);
    if (!s) return fail(s.error().exit_code, s.error().message);
    scenario = std::move(*s);
  }
  if (req.elf.empty()) return fail(kExitUsage, "no firmware ELF given");
  auto elf = load_firmware(req.elf, req.image, req.device);
  if (!elf) return fail(exit_code_for(elf.error().kind), elf.error().message);
  for (const auto &w : elf->warnings) emit({Message::Kind::Warning, w});
  std::string explanation;
  auto device = resolve_device(req.device, *elf, &explanation);
  if (!device) return fail(exit_code_for(device.error().kind), device.error().message);
  if (!req.core.empty() && !override_core(*device, req.core))
    return fail(kExitUsage, "unknown core '" + req.core + "' (cortex-m0plus, cortex-m3, cortex-m4, cortex-m4f, cortex-m7, cortex-m33)");
  if (!req.options.semihost_dir.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(req.options.semihost_dir, ec))
      return fail(kExitNoInput, "--semihost-dir " + req.options.semihost_dir.string() + " is not a directory");
  }

  // Energy: the figures are checked before the run; a problem is an error
  // only when an energy option asks for them, else a note in the report.
  if (req.voltage_v && !(std::isfinite(*req.voltage_v) && *req.voltage_v > 0))
    return fail(kExitUsage, "--voltage must be a number of volts greater than 0");
  if (req.temperature_c && !std::isfinite(*req.temperature_c)) return fail(kExitUsage, "--temperature must be a number of °C");
  std::optional<power::EnergyModel> energy_model;
  std::string energy_note;
  auto price_at = [&](double mhz) -> bool {
    auto m = power::make_energy_model(*device, energy_options(req, *device, mhz));
    energy_model.reset();
    energy_note.clear();
    if (m) energy_model = std::move(*m);
    else energy_note = m.error().message;
    return energy_model || !req.energy_asked();
  };
  if (!price_at(req.options.mhz > 0 ? req.options.mhz : device->default_mhz)) return fail(kExitNoPower, energy_note);

  std::vector<GpioPhaseSpec> gpio_phase_specs;
  for (const auto &text : req.gpio_phases) {
    auto spec = parse_gpio_phase(text);
    if (!spec) return fail(kExitUsage, spec.error().message);
    const std::vector<std::string> ports = peripherals::gpio_port_names(*device);
    if (std::find(ports.begin(), ports.end(), spec->pin.port) == ports.end()) {
      std::string known;
      for (const auto &p : ports) known += (known.empty() ? "" : ", ") + p;
      return fail(kExitUsage, "--gpio-phase " + text + ": " + device->name + " has no GPIO port " + spec->pin.port +
                                  (known.empty() ? std::string(" (it has no GPIO model)") : " (its ports: " + known + ")"));
    }
    gpio_phase_specs.push_back(std::move(*spec));
  }

  std::string report_format = req.report_format;
  if (report_format.empty() && !req.report_out.empty()) report_format = "text";
  OutputFile report_file, flamegraph_file, trace_file, junit_file, console_file, gpio_trace_file;
  struct Wanted {
    const std::string &path;
    OutputFile &file;
  };
  const std::string junit = gate.active() ? req.junit : std::string();
  for (Wanted w : {Wanted{req.report_out, report_file}, Wanted{req.flamegraph, flamegraph_file}, Wanted{req.trace, trace_file},
                   Wanted{junit, junit_file}, Wanted{req.console_file, console_file}, Wanted{req.gpio_trace, gpio_trace_file}}) {
    if (!w.path.empty() && !w.file.open(w.path, &error)) return fail(kExitOutput, error);
  }

  // Serial lines: every UART's output to the console unless --uart names a file, stdio or a pty.
  SerialLines serial;
  const bool own_serial = !req.options.peripheral_io.serial;
  if (own_serial) {
    std::vector<std::string> notes;
    if (auto p = serial.open(*device, req.uart, req.uart_in, req.uart_script, machine_report_on_stdout(req), &notes)) return fail(p->exit_code, p->message);
    for (auto &n : notes) emit({Message::Kind::Note, n});
  } else if (!req.uart.empty() || !req.uart_in.empty() || !req.uart_script.empty()) {
    return fail(kExitUsage, "--uart, --uart-in and --uart-script cannot be used here (the serial lines are the command's own)");
  }

  Recorder recorder;
  if (int rc = recorder.open(req.db, req.no_db, emit); rc != kExitOk) {
    out.exit_code = rc;
    out.error = out.messages.back().text;
    return out;
  }

  std::optional<FileConsole> file_console;
  if (console_file.is_open()) file_console.emplace(hooks.console());
  Console &console = file_console ? static_cast<Console &>(*file_console) : hooks.console();

  RunOptions opts = req.options;
  if (own_serial) opts.peripheral_io.serial = [&serial](const std::string &name) { return serial.line(name); };
  if (!req.deep_sleep.empty()) opts.deep_sleep_state = req.deep_sleep;
  // Instruction-class weights that are not neutral need the counting hook.
  if (energy_model && !energy_model->weights.neutral()) opts.count_instruction_classes = true;
  // Profiling (functions, layers, stack) when something will show it; a plain run is stored with its totals and memory.
  opts.profile = opts.profile || !report_format.empty() || gate.active() || recorder.explicit_db() || !req.flamegraph.empty() ||
                 !req.trace.empty() || scenario.has_value();
  if (opts.profile && !opts.profile_listener) opts.profile_listener = [] { return std::make_unique<CallTracker>(); };
  if (opts.cmdline.empty()) opts.cmdline = std::filesystem::path(req.elf).filename().string();
  if (hooks.wants_progress()) opts.on_progress = [&hooks](const RunOptions::Progress &p) { hooks.progress(p); };
  else opts.on_progress = nullptr;
  if (own_serial && serial.live_input()) {
    // A pty's input arrives while the firmware runs: looked for on the run loop's progress timer (every 0.2 s of wall time).
    opts.on_progress = [&serial, progress = std::move(opts.on_progress)](const RunOptions::Progress &p) {
      serial.poll();
      if (progress) progress(p);
    };
  }

  // GPIO output changes: recorded for --gpio-trace and --gpio-phase (docs/peripherals.md).
  GpioRecorder gpio;
  if (gpio_trace_file.is_open() || !gpio_phase_specs.empty()) gpio.connect(opts.peripheral_io);

  if (!req.quiet && !explanation.empty()) emit({Message::Kind::Note, explanation});
  // The device's peripheral models (docs/peripherals.md); unmodelled accesses are reported on stderr.
  if (!opts.peripherals) opts.peripherals = peripherals::make_bus_factory(*device, {opts.strict_peripherals, {}});
  auto sim = Simulator::create(*device, *elf, opts, console);
  if (!sim) return fail(exit_code_for(sim.error().kind), sim.error().message);
  if (elf->named_by_address && opts.profile && !req.quiet)
    emit({Message::Kind::Note, std::filesystem::path(req.elf).filename().string() +
                                   " has no symbols: functions are named by their address (--symbols FW.ELF names them)"});
  if (std::fabs((*sim)->hz() / 1e6 - (energy_model ? energy_model->mhz : 0)) > 1e-9 && !price_at((*sim)->hz() / 1e6))
    return fail(kExitNoPower, energy_note);
  RunStarted started{device->name, device->title, core_display_name(device->core), (*sim)->hz(), (*sim)->timing_description(),
                     explanation};
  if (!req.quiet) {
    char clock[64];
    std::snprintf(clock, sizeof clock, "%g MHz", started.hz / 1e6);
    const std::string how = (*sim)->clock_description();
    emit({Message::Kind::Note, started.device + " (" + started.core + ") at " + clock + ", timing: " + started.timing +
                                   (how.empty() ? "" : ", " + how)});
  }
  hooks.started(started);

  // --- The run ---
  if (file_console) file_console->start(console_file.stream());
  serial.start(console);
  hooks.attach(sim->get());
  RunResult r = (*sim)->run();
  hooks.attach(nullptr);
  out.ran = true;
  out.exit_code = exit_code_for(r);
  if (console_file.is_open() && !console_file.close(&error)) {
    emit({Message::Kind::Error, error});
    also(kExitOutput);
  }
  if (!serial.close(&error)) {
    emit({Message::Kind::Error, error});
    also(kExitOutput);
  }
  if (auto p = serial.unmet_script()) {
    emit({Message::Kind::Error, p->message});
    also(p->exit_code);
  }

  if (r.fault) {
    emit({Message::Kind::Note, "firmware " + format_fault(*r.fault, *elf)});
  } else if (r.reason == StopReason::Stopped) {
    if (req.quiet) emit({Message::Kind::Note, stop_reason_text(r)}); // else in the summary below
  } else if (r.reason != StopReason::Exited) {
    emit({Message::Kind::Note, "stopped: " + r.message});
  } else if (!r.message.empty() && !req.quiet) {
    emit({Message::Kind::Note, r.message});
  }

  // --- After the run: outputs, report, gate, database ---
  auto write = [&](OutputFile &file, const std::string &text) {
    if (!file.is_open()) return;
    if (!file.write(text, &error)) {
      emit({Message::Kind::Error, error});
      also(kExitOutput);
    }
  };
  if (!r.clock_warning.empty()) emit({Message::Kind::Warning, r.clock_warning});
  // Energy: each clock (and power mode) the firmware ran at priced at its own figures (docs/power.md, "The clock in force").
  RunReport rep = build_report(r, *elf, *device, (*sim)->timing_description());
  if (energy_model) {
    auto by_clock = power::make_clock_models(*device, energy_options(req, *device, r.hz / 1e6), r.power);
    if (by_clock) attach_energy(rep, r, *device, *by_clock);
    else rep.energy_note = by_clock.error().message;
  } else {
    rep.energy_note = energy_note;
  }
  rep.gpio_phases = gpio_phases(gpio.events(), gpio_phase_specs, r);
  if (gpio_trace_file.is_open()) {
    const bool vcd = std::filesystem::path(req.gpio_trace).extension() == ".vcd";
    write(gpio_trace_file, vcd ? render_gpio_vcd(gpio.events(), r) : render_gpio_trace(gpio.events(), r));
  }
  if (r.profile) {
    if (flamegraph_file.is_open()) write(flamegraph_file, render_folded(*r.profile));
    if (trace_file.is_open())
      write(trace_file, render_trace(*r.profile, r.hz, elf->path.filename().string() + " on " + device->name,
                                     rep.energy ? &*rep.energy : nullptr));
  }
  if (!report_format.empty()) {
    std::string text = render(rep, report_format);
    if (report_file.is_open()) write(report_file, text);
    else hooks.report_text(text);
  }
  std::optional<double> battery_years;
  if (scenario) {
    // After the report, on stdout; on stderr when a JSON or HTML report has stdout to itself.
    auto b = project_run(rep, *scenario, battery_options);
    if (!b) {
      emit({Message::Kind::Error, b.error().message});
      also(b.error().exit_code);
    } else {
      std::string text = render_battery_text(*b);
      if (projection_on_stderr(req)) emit({Message::Kind::Text, text});
      else hooks.report_text(text);
      battery_years = b->projection.life_years;
      out.battery = std::move(*b);
    }
  }
  if (!req.quiet) emit({Message::Kind::Note, summary_line(r)});
  if (gate.active()) {
    BudgetResult checks;
    int gate_code = gate.check(rep, req.quiet, junit_file.is_open() ? &junit_file : nullptr, &checks, emit, battery_years);
    if (gate_code != kExitInternal) out.gate = std::move(checks);
    also(gate_code);
  }
  if (recorder.active()) {
    also(recorder.store(rep, req.elf, req.quiet, &out.run_id, emit));
    if (out.run_id) out.db_path = recorder.path();
  }
  out.result = std::move(r);
  out.report = std::move(rep);
  return out;
}

} // namespace mcusim::session
