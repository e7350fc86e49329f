/// \file
/// GPIO trace and phase markers.
#include "session/gpio_trace.h"

#include <cctype>
#include <cstdio>
#include <map>
#include <sstream>

namespace mcusim::session {

std::string GpioPin::label() const {
  if (port.rfind("GPIO", 0) != 0) return port + "." + std::to_string(pin); // nRF: "P0.13"
  // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "P" + substr(...).
  std::string s = "P";
  s.push_back(port.empty() ? '?' : port.back());
  s.append(std::to_string(pin));
  return s;
}

Expected<GpioPin> parse_gpio_pin(const std::string &text) {
  auto bad = [&](const std::string &why) {
    return make_error(ErrorKind::Usage,
                      "'" + text + "' is not a pin: " + why + " (a port letter and a pin number, such as PA5, or P0.13 on the nRF)");
  };
  const bool nrf = text.size() >= 4 && std::isdigit(static_cast<unsigned char>(text[1])) && text[2] == '.';
  if (text.size() < 3 || std::toupper(static_cast<unsigned char>(text[0])) != 'P' ||
      !(nrf || std::isalpha(static_cast<unsigned char>(text[1]))))
    return bad("it does not start with P and a port letter");
  const std::string digits = text.substr(nrf ? 3 : 2);
  if (digits.empty() || digits.size() > 2 || !std::isdigit(static_cast<unsigned char>(digits[0])) ||
      (digits.size() == 2 && !std::isdigit(static_cast<unsigned char>(digits[1]))))
    return bad("'" + digits + "' is not a pin number");
  const unsigned pin = unsigned(std::stoul(digits)), last = nrf ? 31 : 15;
  if (pin > last) return bad("pin " + digits + " is above " + std::to_string(last));
  if (nrf) return GpioPin{text.substr(0, 2), pin};
  return GpioPin{std::string("GPIO") + char(std::toupper(static_cast<unsigned char>(text[1]))), pin};
}

Expected<GpioPhaseSpec> parse_gpio_phase(const std::string &text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    return make_error(ErrorKind::Usage, "--gpio-phase '" + text + "': expected NAME=PIN, such as inference=PA5");
  auto pin = parse_gpio_pin(text.substr(eq + 1));
  if (!pin) return make_error(ErrorKind::Usage, "--gpio-phase " + pin.error().message);
  return GpioPhaseSpec{text.substr(0, eq), *pin};
}

void GpioRecorder::connect(PeripheralIo &io) {
  io.gpio_changed = [this](const std::string &port, unsigned pin, bool level, uint64_t cycle) {
    events_.push_back({cycle, port, pin, level});
  };
}

double cycle_us(const RunResult &run, uint64_t cycle) {
  if (run.clock_changes.size() > 1) return seconds_over(run.clock_changes, cycle) * 1e6;
  return run.hz > 0 ? double(cycle) / run.hz * 1e6 : 0;
}

std::string render_gpio_trace(const std::vector<GpioEvent> &events, const RunResult &run) {
  std::ostringstream os;
  os << "# mcusim gpio trace: one line per output pin change\n# time_us cycle port pin level\n";
  char line[128];
  for (const auto &e : events) {
    std::snprintf(line, sizeof line, "%.6f %llu %s %u %d\n", cycle_us(run, e.cycle), static_cast<unsigned long long>(e.cycle),
                  e.port.c_str(), e.pin, e.level ? 1 : 0);
    os << line;
  }
  return os.str();
}

std::string render_gpio_vcd(const std::vector<GpioEvent> &events, const RunResult &run) {
  // One identifier per pin, in order of first change.
  std::map<std::pair<std::string, unsigned>, std::string> ids;
  std::vector<std::pair<std::string, std::string>> wires; // id, name
  for (const auto &e : events) {
    auto key = std::make_pair(e.port, e.pin);
    if (ids.count(key)) continue;
    std::string id(1, char('!' + ids.size() % 94));
    if (ids.size() >= 94) id += char('!' + ids.size() / 94);
    ids[key] = id;
    wires.emplace_back(id, GpioPin{e.port, e.pin}.label());
  }
  std::ostringstream os;
  os << "$comment mcusim gpio trace $end\n$timescale 1 ps $end\n$scope module gpio $end\n";
  for (const auto &[id, name] : wires) os << "$var wire 1 " << id << " " << name << " $end\n";
  os << "$upscope $end\n$enddefinitions $end\n#0\n$dumpvars\n";
  for (const auto &w : wires) os << "0" << w.first << "\n";
  os << "$end\n";
  long long last = 0;
  for (const auto &e : events) {
    const long long t = (long long)(cycle_us(run, e.cycle) * 1e6 + 0.5);
    if (t != last) os << "#" << t << "\n";
    last = t;
    os << (e.level ? "1" : "0") << ids[{e.port, e.pin}] << "\n";
  }
  return os.str();
}

std::vector<RunReport::GpioPhase> gpio_phases(const std::vector<GpioEvent> &events, const std::vector<GpioPhaseSpec> &specs,
                                              const RunResult &run) {
  std::vector<RunReport::GpioPhase> out;
  for (const auto &s : specs) {
    RunReport::GpioPhase p;
    p.name = s.name;
    p.pin = s.pin.label();
    std::optional<uint64_t> rose;
    for (const auto &e : events) {
      if (e.port != s.pin.port || e.pin != s.pin.pin) continue;
      if (e.level) {
        if (!rose) rose = e.cycle;
      } else if (rose) {
        ++p.count;
        p.cycles += e.cycle - *rose;
        p.us += cycle_us(run, e.cycle) - cycle_us(run, *rose);
        rose.reset();
      }
    }
    p.open = rose.has_value();
    p.mean_cycles = p.count ? double(p.cycles) / double(p.count) : 0;
    p.mean_us = p.count ? p.us / double(p.count) : 0;
    out.push_back(p);
  }
  return out;
}

} // namespace mcusim::session
