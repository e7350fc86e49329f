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
#include "peripherals/stm32_tim.h"
#include "peripherals/stm32_gpio.h"
#include "peripherals/stm32_exti_l4.h"
#include "peripherals/stm32_syscfg_l4.h"
#include "peripherals/stm32_pwr_vos.h"
#include "peripherals/stm32_rcc_f4.h"
#include "peripherals/stm32_rcc_g0.h"
#include "peripherals/stm32_rcc_h7.h"
#include "peripherals/stm32_rcc_u5.h"
#include "peripherals/stm32_usart.h"
#include "peripherals/stm32_rtc_l4.h"
#include "peripherals/stm32_lptim_l4.h"
#include "peripherals/stm32_exti_h7.h"
#include "peripherals/stm32_pwr_h7.h"
#include "peripherals/stm32_tim_advanced.h"
#include "peripherals/nrf_info.h"

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

template <Stm32Tim::Kind K> std::unique_ptr<Peripheral> make_tim(const PeripheralDesc &d, PeripheralHost &h) {
  return std::make_unique<Stm32Tim>(d, h, K);
}

// The voltage-scaling models: one class, a register layout per family.
template <const VosLayout *L> const Required &pwr_required() {
  static const Required r = Stm32PwrVos::required_for(*L);
  return r;
}
template <const VosLayout *L> std::unique_ptr<Peripheral> make_pwr(const PeripheralDesc &d, PeripheralHost &h) {
  return std::make_unique<Stm32PwrVos>(d, h, *L);
}

template <bool Lpuart> std::unique_ptr<Peripheral> make_uart(const PeripheralDesc &d, PeripheralHost &h) {
  return std::make_unique<Stm32Usart>(d, h, Lpuart);
}

const Model kModels[] = {
    {"registers", &none, &make<Peripheral>},
    {"stm32-rcc-l4", &Stm32RccL4::required, &make<Stm32RccL4>},
    {"stm32-flash-l4", &Stm32FlashL4::required, &make<Stm32FlashL4>},
    {"stm32-pwr-l4", &Stm32PwrL4::required, &make<Stm32PwrL4>},
    {"stm32-tim-basic", &Stm32Tim::required_basic, &make_tim<Stm32Tim::Kind::Basic>},
    {"stm32-tim-general", &Stm32Tim::required_general, &make_tim<Stm32Tim::Kind::General>},
    {"stm32-gpio", &Stm32Gpio::required, &make<Stm32Gpio>},
    {"stm32-exti-l4", &Stm32ExtiL4::required, &make<Stm32ExtiL4>},
    {"stm32-syscfg-l4", &Stm32SyscfgL4::required, &make<Stm32SyscfgL4>},
    {"stm32-flash-acr", &Stm32FlashL4::required, &make<Stm32FlashL4>},
    {"stm32-rcc-f4", &Stm32RccF4::required, &make<Stm32RccF4>},
    {"stm32-pwr-f4", &pwr_required<&Stm32PwrVos::kF4>, &make_pwr<&Stm32PwrVos::kF4>},
    {"stm32-rcc-g0", &Stm32RccG0::required, &make<Stm32RccG0>},
    {"stm32-pwr-g0", &pwr_required<&Stm32PwrVos::kG0>, &make_pwr<&Stm32PwrVos::kG0>},
    {"stm32-rcc-u5", &Stm32RccU5::required, &make<Stm32RccU5>},
    {"stm32-pwr-u5", &pwr_required<&Stm32PwrVos::kU5>, &make_pwr<&Stm32PwrVos::kU5>},
    {"stm32-rcc-h7", &Stm32RccH7::required, &make<Stm32RccH7>},
    {"stm32-pwr-h7", &Stm32PwrH7::required, &make<Stm32PwrH7>},
    {"stm32-usart", &Stm32Usart::required, &make_uart<false>},
    {"stm32-lpuart", &Stm32Usart::required, &make_uart<true>},
    {"stm32-rtc-l4", &Stm32RtcL4::required, &make<Stm32RtcL4>},
    {"stm32-lptim-l4", &Stm32LptimL4::required, &make<Stm32LptimL4>},
    {"nrf-power-clock", &NrfPowerClock::required, &make<NrfPowerClock>},
    {"nrf-rtc", &NrfRtc::required, &make<NrfRtc>},
    {"nrf-timer", &NrfTimer::required, &make<NrfTimer>},
    {"nrf-uarte", &NrfUarte::required, &make<NrfUarte>},
    {"nrf-gpio", &NrfGpio::required, &make<NrfGpio>},
    {"stm32-exti-h7", &Stm32ExtiH7::required, &make<Stm32ExtiH7>},
    {"stm32-tim-advanced", &Stm32TimAdvanced::required, &make<Stm32TimAdvanced>},
    {"nrf-static", &none, &make<NrfStatic>},
    {"nrf-uicr", &none, &make<NrfUicr>},
};

/// The models whose blocks are UARTs (append a UART model here too).
const char *const kSerialModels[] = {"stm32-usart", "stm32-lpuart", "nrf-uarte"};
/// The models whose blocks are GPIO ports (append a GPIO model here too).
const char *const kGpioModels[] = {"stm32-gpio", "nrf-gpio"};

template <size_t N> bool one_of(const std::string &model, const char *const (&models)[N]) {
  for (const char *m : models)
    if (model == m) return true;
  return false;
}

/// The names of `device`'s blocks whose model is one of `models`, in the file's order.
template <size_t N> std::vector<std::string> blocks_of(const Device &device, const char *const (&models)[N]) {
  std::vector<std::string> out;
  for (const auto &p : device.peripherals)
    if (one_of(p.model, models)) out.push_back(p.name);
  return out;
}

std::string where(const std::filesystem::path &file) { return file.empty() ? std::string() : file.string() + ": "; }

} // namespace

bool is_serial_model(const std::string &model) { return one_of(model, kSerialModels); }

std::vector<std::string> serial_names(const Device &device) { return blocks_of(device, kSerialModels); }

std::vector<std::string> gpio_port_names(const Device &device) { return blocks_of(device, kGpioModels); }

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
