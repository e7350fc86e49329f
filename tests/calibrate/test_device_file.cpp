/// \file
/// The fitted device file: the [power] section re-emitted with the fitted
/// figures and their source, everything else kept byte for byte, and the
/// result still a device file.
#include "base/device.h"
#include "power/calibrate_device.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <toml++/toml.h>

using namespace mcusim::power;
using mcusim::CodeLocation;
using mcusim::PowerStateKind;

namespace {

const std::string kHead = R"(# A device for the calibration tests
schema = 1
name = "caldev"
title = "Calibration test device"
core = "cortex-m4f"
fpu = "fpv4-sp-d16"

[clock]
default_mhz = 80
max_mhz = 80

[vector_table]
address = 0x08000000

)";

const std::string kPower = R"([power]
voltage_v = 3.3
default_mode = "range1"
deep_sleep = "stop2"
source = "DS0000 table 20"

[[power.run]]
location = "flash"
mode = "range1"
max_mhz = 80
fixed_ua = 700
ua_per_mhz = 110
source = "DS0000 table 21"

[[power.state]]
name = "sleep"
kind = "sleep"
fixed_ua = 50
ua_per_mhz = 30
wakeup_us = 0.1
source = "DS0000 table 22"

[[power.state]]
name = "stop2"  # the deep sleep
kind = "stop"
fixed_ua = 1.8
wakeup_us = 5.0
source = "DS0000 table 23"

[power.weights]
mac_pj = 0

)";

const std::string kTail = R"([[memory]]
name = "flash"
kind = "flash"
base = 0x08000000
size = 0x100000
access = "rx"
# a comment kept as it is

[[memory]]
name = "sram"
kind = "sram"
base = 0x20000000
size = 0x40000
access = "rwx"
)";

CalibrationFit sample_fit() {
  CalibrationFit fit;
  FittedRun r;
  r.location = CodeLocation::Flash;
  r.index = 0;
  r.fixed_ua = 751.23456789;
  r.ua_per_mhz = 104.5;
  fit.runs.push_back(r);
  FittedState s;
  s.name = "stop2";
  s.kind = PowerStateKind::Stop;
  s.index = 1;
  s.fixed_ua = 2.1;
  fit.state = s;
  return fit;
}

} // namespace

TEST_CASE("the figures a fit starts from come from the device file's [power] section") {
  auto f = read_power_figures(kHead + kPower + kTail, "caldev.toml");
  REQUIRE(f);
  REQUIRE(*f);
  const PowerFigures &p = **f;
  REQUIRE(p.run.size() == 1);
  CHECK(p.run[0].fixed_ua == 700);
  CHECK(p.run[0].ua_per_mhz == 110);
  CHECK(p.run[0].mode == "range1");
  REQUIRE(p.states.size() == 2);
  CHECK(p.states[1].kind == PowerStateKind::Stop);
  CHECK(p.state_for(true)->name == "stop2");
  CHECK(p.state_for(false)->name == "sleep");
  auto none = read_power_figures(kHead + kTail, "caldev.toml");
  REQUIRE(none);
  CHECK_FALSE(*none);
}

TEST_CASE("the fitted file: the fitted rows replaced with their source, the rest kept byte for byte") {
  const std::string source = "fitted by mcusim calibrate from a.csv@48 MHz on 2026-11-30, residual 0.42%";
  auto out = write_fitted_device(kHead + kPower + kTail, "caldev.toml", sample_fit(), source);
  INFO((out ? std::string() : out.error().message));
  REQUIRE(out);
  CHECK(out->substr(0, kHead.size()) == kHead);
  CHECK(out->find(kTail) != std::string::npos); // the [[memory]] table and its comment
  CHECK(out->find("mac_pj = 0") != std::string::npos);

  toml::table t = toml::parse(*out);
  CHECK(t["name"].value<std::string>() == "caldev");
  CHECK(t["power"]["voltage_v"].value<double>() == 3.3);
  CHECK(t["power"]["deep_sleep"].value<std::string>() == "stop2");
  auto run = t["power"]["run"][0];
  CHECK(run["fixed_ua"].value<double>() == doctest::Approx(751.235)); // six significant digits
  CHECK(run["ua_per_mhz"].value<double>() == 104.5);
  CHECK(run["max_mhz"].value<int64_t>() == 80);
  CHECK(run["source"].value<std::string>() == source);
  auto sleep = t["power"]["state"][0];
  CHECK(sleep["fixed_ua"].value<double>() == 50); // not fitted: unchanged
  CHECK(sleep["source"].value<std::string>() == "DS0000 table 22");
  auto stop = t["power"]["state"][1];
  CHECK(stop["fixed_ua"].value<double>() == 2.1);
  CHECK_FALSE(stop["ua_per_mhz"]); // a stop state has no per-MHz current
  CHECK(stop["wakeup_us"].value<double>() == 5.0);
  CHECK(stop["source"].value<std::string>() == source);
  CHECK(t["memory"][0]["base"].value<int64_t>() == 0x08000000);

  // Still a device file (once the device parser reads [power], with the fitted figures).
  auto d = mcusim::parse_device(*out, "caldev-fitted.toml");
  INFO((d ? std::string() : d.error().message));
  REQUIRE(d);
  CHECK(d->name == "caldev");
  if (d->power) {
    REQUIRE(!d->power->run.empty());
    CHECK(d->power->run[0].fixed_ua == doctest::Approx(751.235));
    CHECK(d->power->run[0].source == source);
  }
}

TEST_CASE("a device without [power] gets a new section with the fitted rows") {
  std::ifstream in(std::string(MCUSIM_TEST_SOURCE_DIR) + "/tests/data/calibrate/nopower-f407.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  REQUIRE(text.find("\n[power]") == std::string::npos);
  CalibrationFit fit;
  FittedRun r;
  r.fixed_ua = 500;
  r.ua_per_mhz = 100;
  fit.runs.push_back(r);
  FittedState s;
  s.name = "sleep";
  s.kind = PowerStateKind::Sleep;
  s.fixed_ua = 40;
  s.ua_per_mhz = 8;
  fit.state = s;
  auto out = write_fitted_device(text, "nopower-f407.toml", fit, "fitted by mcusim calibrate");
  REQUIRE(out);
  std::string kept = text;
  while (!kept.empty() && kept.back() == '\n') kept.pop_back();
  CHECK(out->substr(0, kept.size()) == kept);
  toml::table t = toml::parse(*out);
  CHECK(t["power"]["voltage_v"].value<double>() == 3.0);
  CHECK(t["power"]["run"][0]["location"].value<std::string>() == "flash");
  CHECK(t["power"]["run"][0]["fixed_ua"].value<double>() == 500);
  CHECK(t["power"]["state"][0]["kind"].value<std::string>() == "sleep");
  CHECK(t["power"]["state"][0]["ua_per_mhz"].value<double>() == 8);
  auto d = mcusim::parse_device(*out, "nopower-f407-fitted.toml");
  INFO((d ? std::string() : d.error().message));
  REQUIRE(d);
}

TEST_CASE("power figures as top-level dotted keys cannot be rewritten: one clear line") {
  std::string head = kHead;
  head.insert(head.find("[clock]"), "power.voltage_v = 3.3\n\n");
  auto out = write_fitted_device(head + kTail, "dotted.toml", sample_fit(), "x");
  REQUIRE_FALSE(out);
  CHECK(out.error().message.find("dotted.toml: the power figures are given as dotted keys") == 0);
}
