/// \file
/// The peripheral models by name (the `model` of a `[[peripheral]]`), and
/// the factory that builds a device's bus for the core (RunOptions::peripherals).
#pragma once

#include "base/device.h"
#include "base/error.h"
#include "core/peripheral_space.h"
#include "peripherals/bus.h"
#include "peripherals/peripheral.h"

#include <memory>
#include <string>
#include <vector>

namespace mcusim::peripherals {

/// The model names a device file may use: "registers", "stm32-rcc-l4", ...
std::vector<std::string> model_names();

/// The models that are UARTs (their blocks take a serial line: --uart, --uart-in).
bool is_serial_model(const std::string &model);
/// The names of `device`'s UART blocks, in address order ("USART2", ..., "USART1").
std::vector<std::string> serial_names(const Device &device);
/// The device's GPIO port blocks ("GPIOA", ..., or "P0", "P1"), in the file's order (--gpio-phase checks its pins against them).
std::vector<std::string> gpio_port_names(const Device &device);

/// Build the model `desc.model` for one block; a BadDevice error for an
/// unknown model or for data the model cannot work with (a register it needs
/// missing or at another offset).
Expected<std::unique_ptr<Peripheral>> make_peripheral(const PeripheralDesc &desc, PeripheralHost &host,
                                                      const std::filesystem::path &device_file = {});

/// Every block of `device`, on one bus.
Expected<std::unique_ptr<PeripheralBus>> make_bus(const Device &device, PeripheralHost &host, BusOptions options = {});

/// A RunOptions::peripherals factory for `device` (which it copies); empty
/// when the device describes no peripheral blocks.
PeripheralFactory make_bus_factory(const Device &device, BusOptions options = {});

} // namespace mcusim::peripherals
