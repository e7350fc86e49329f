/// \file
/// Model registry: name -> constructor and the registers it needs.
#include "peripherals/models.h"

#include "peripherals/nrf_gpio.h"
#include "peripherals/nrf_power_clock.h"
#include "peripherals/nrf_rtc.h"
#include "peripherals/nrf_timer.h"
#include "peripherals/nrf_uarte.h"
#include "peripherals/stm32_flash_l4.h"
#include "peripherals/stm32_pwr_l4.h"
#include "peripherals/stm32_rcc_l4.h"

#include <cstdio>
#include <functional>

namespace mcusim::peripherals {

namespace {

using Required = std::vector<std::pair<const char *, uint32_t>>;
struct Model {
  const char *name;
  const Required &(*required)();
  std::unique_ptr<Peripheral> (*make)(const PeripheralDesc &, PeripheralHost &);
};

const Required &none() {
  static const Required r;
  return r;
}

template <typename T> std::unique_ptr<Peripheral> make(const PeripheralDesc &d, PeripheralHost &h) {
  return std::make_unique<T>(d, h);
}

const Model kModels[] = {
    {"registers", &none, &make<Peripheral>},
    {"stm32-rcc-l4", &Stm32RccL4::required, &make<Stm32RccL4>},
    {"stm32-flash-l4", &Stm32FlashL4::required, &make<Stm32FlashL4>},
    {"stm32-pwr-l4", &Stm32PwrL4::required, &make<Stm32PwrL4>},
    {"nrf-power-clock", &NrfPowerClock::required, &make<NrfPowerClock>},
    {"nrf-rtc", &NrfRtc::required, &make<NrfRtc>},
    {"nrf-timer", &NrfTimer::required, &make<NrfTimer>},
    {"nrf-uarte", &NrfUarte::required, &make<NrfUarte>},
    {"nrf-gpio", &NrfGpio::required, &make<NrfGpio>},
};

std::string where(const std::filesystem::path &file) { return file.empty() ? std::string() : file.string() + ": "; }

} // namespace

std::vector<std::string> model_names() {
  std::vector<std::string> out;
  for (const auto &m : kModels) out.emplace_back(m.name);
  return out;
}

Expected<std::unique_ptr<Peripheral>> make_peripheral(const PeripheralDesc &desc, PeripheralHost &host,
                                                      const std::filesystem::path &device_file) {
  for (const auto &m : kModels) {
    if (desc.model != m.name) continue;
    for (const auto &[name, offset] : m.required()) {
      const PeripheralRegisterDesc *r = desc.register_at(offset);
      if (!r || r->name != name) {
        char off[16];
        std::snprintf(off, sizeof off, "0x%03X", unsigned(offset));
        return make_error(ErrorKind::BadDevice, where(device_file) + "peripheral " + desc.name + ": model " + desc.model +
                                                    " needs register " + name + " at offset " + off);
      }
    }
    return m.make(desc, host);
  }
  std::string known;
  for (const auto &n : model_names()) known += (known.empty() ? "" : ", ") + n;
  return make_error(ErrorKind::BadDevice,
                    where(device_file) + "peripheral " + desc.name + ": unknown model '" + desc.model + "' (known: " + known + ")");
}

Expected<std::unique_ptr<PeripheralBus>> make_bus(const Device &device, PeripheralHost &host, BusOptions options) {
  auto bus = std::make_unique<PeripheralBus>(std::move(options));
  for (const auto &desc : device.peripherals) {
    auto p = make_peripheral(desc, host, device.file);
    if (!p) return tl::unexpected(p.error());
    bus->add(std::move(*p));
  }
  bus->connect();
  return bus;
}

PeripheralFactory make_bus_factory(const Device &device, BusOptions options) {
  if (device.peripherals.empty()) return {};
  return [device, options](PeripheralHost &host) -> Expected<std::unique_ptr<PeripheralSpace>> {
    auto bus = make_bus(device, host, options);
    if (!bus) return tl::unexpected(bus.error());
    return std::unique_ptr<PeripheralSpace>(std::move(*bus));
  };
}

} // namespace mcusim::peripherals
