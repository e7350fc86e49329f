/// \file
/// A bundled firmware image run on a device with its peripheral models, for
/// the unit tests of the firmware's clock, timers and low-power modes.
#pragma once

#include "base/device.h"
#include "core/simulator.h"
#include "image/elf_image.h"
#include "peripherals/models.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "helpers.h"

namespace mcusim::test {

struct FirmwareRun {
  RunResult r;
  std::string out;                     ///< the firmware's console output
  std::vector<std::string> unmodelled; ///< the bus's unmodelled-access lines
};

/// Runs build/firmware/elf/`image`.elf on `device` with the device's
/// peripheral models and `o` for the rest (its `peripherals` is replaced);
/// `cmdline` is what SYS_GET_CMDLINE returns ("clockconfig loops").
inline FirmwareRun run_firmware(const std::string &image, const char *device, const std::string &cmdline, RunOptions o = {}) {
  auto elf = load_elf(firmware(image));
  REQUIRE(elf);
  auto dev = find_device(device);
  REQUIRE(dev);
  FirmwareRun fr;
  o.cmdline = cmdline;
  o.peripherals = peripherals::make_bus_factory(*dev, {false, [&fr](const std::string &line) { fr.unmodelled.push_back(line); }});
  CaptureConsole console;
  auto sim = Simulator::create(*dev, *elf, o, console);
  REQUIRE(sim);
  fr.r = (*sim)->run();
  fr.out = console.out_text;
  return fr;
}

/// "loop <when>: ... N per iteration" in a clock firmware's output -> N.
inline long per_iteration(const std::string &out, const std::string &when) {
  size_t at = out.find("loop " + when + ":");
  REQUIRE(at != std::string::npos);
  size_t end = out.find(" per iteration", at);
  REQUIRE(end != std::string::npos);
  size_t start = out.rfind(' ', end - 1);
  return std::stol(out.substr(start + 1, end - start - 1));
}

} // namespace mcusim::test
