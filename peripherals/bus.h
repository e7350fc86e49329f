/// \file
/// The peripheral bus: the device's instantiated peripheral blocks behind
/// the core's PeripheralSpace. It names the 4 KiB pages the blocks cover
/// (the core maps those with uc_mmio_map; the rest of the peripheral region
/// stays plain memory), routes each access to its block, splits byte and
/// halfword accesses into word accesses with a byte mask, and reports an
/// access to a register no model handles: once per register, on the report
/// sink (stderr by default), as
///   mcusim: unmodelled read of RCC->PLLSAI1CFGR (0x40021010)
/// after which the register file serves it (reads: the stored value, from
/// the documented reset value; writes: stored). With `strict`, such an
/// access is refused (a BusFault in the core).
#pragma once

#include "core/peripheral_space.h"
#include "peripherals/peripheral.h"

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace mcusim::peripherals {

struct BusOptions {
  bool strict = false; ///< --strict-peripherals
  /// Where the one-line unmodelled-access reports go; empty: stderr.
  std::function<void(const std::string &)> report;
};

class PeripheralBus final : public PeripheralSpace {
public:
  explicit PeripheralBus(BusOptions options = {});
  /// Add a block (blocks must not overlap; the device file's check guarantees it).
  void add(std::unique_ptr<Peripheral> block);
  /// The block named `name`, or nullptr.
  Peripheral *find(const std::string &name) const;
  /// The block holding `addr`, or nullptr.
  Peripheral *block_at(uint32_t addr) const;
  /// Once every block is added: each block's Peripheral::connect.
  void connect();
  /// The first block whose clock_hz(name) answers, or none (a device without an RCC model).
  std::optional<double> clock_hz(std::string_view name) const;
  /// The first block's low_power_state(), or none.
  std::optional<std::string> low_power_state() const override;
  void reset() override;
  /// Each block's standby_reset().
  void standby_reset() override;
  /// The first block that knows `name` answers (Peripheral::standby_keeps); false if none does.
  bool standby_keeps(const std::string &name) const override;

  std::vector<Window> windows() const override;
  PeripheralAccess read(uint32_t addr, unsigned size, uint32_t &value) override;
  PeripheralAccess write(uint32_t addr, unsigned size, uint32_t value) override;
  std::string last_error() const override { return last_error_; }
  std::vector<std::string> unmodelled() const override { return unmodelled_; }
  /// HCLK from the first block that models it, the latency from the first that models one.
  std::optional<CoreClock> core_clock() const override;
  void retime(uint64_t now, double ratio) override;

private:
  /// An access to a register the model does not handle: report it once; false when strict refuses it.
  bool unmodelled_access(Peripheral &p, uint32_t offset, bool write);
  BusOptions options_;
  std::vector<std::unique_ptr<Peripheral>> blocks_; ///< sorted by base
  std::set<uint32_t> reported_; ///< register addresses already reported
  std::vector<std::string> unmodelled_;
  std::string last_error_;
};

} // namespace mcusim::peripherals
