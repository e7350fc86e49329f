/// \file
/// Model registry: name -> constructor and the registers it needs.
#include "peripherals/models.h"

#include "peripherals/stm32_flash_l4.h"
#include "peripherals/stm32_pwr_l4.h"
#include "peripherals/stm32_rcc_l4.h"
#include "peripherals/stm32_usart.h"

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

template <bool Lpuart> std::unique_ptr<Peripheral> make_uart(const PeripheralDesc &d, PeripheralHost &h) {
  return std::make_unique<Stm32Usart>(d, h, Lpuart);
}

const Model kModels[] = {
    {"registers", &none, &make<Peripheral>},
    {"stm32-rcc-l4", &Stm32RccL4::required, &make<Stm32RccL4>},
    {"stm32-flash-l4", &Stm32FlashL4::required, &make<Stm32FlashL4>},
    {"stm32-pwr-l4", &Stm32PwrL4::required, &make<Stm32PwrL4>},
    {"stm32-usart", &Stm32Usart::required, &make_uart<false>},
    {"stm32-lpuart", &Stm32Usart::required, &make_uart<true>},
};

/// The models whose blocks are UARTs (append a UART model here too).
const char *const kSerialModels[] = {"stm32-usart", "stm32-lpuart"};

std::string where(const std::filesystem::path &file) { return file.empty() ? std::string() : file.string() + ": "; }

} // namespace

bool is_serial_model(const std::string &model) {
  for (const char *m : kSerialModels)
    if (model == m) return true;
  return false;
}

std::vector<std::string> serial_names(const Device &device) {
  std::vector<std::string> out;
  for (const auto &p : device.peripherals)
    if (is_serial_model(p.model)) out.push_back(p.name);
  return out;
}

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
