/// \file
/// Device descriptions: the core, clocks, NVIC and memory map of an MCU,
/// read from a data file in devices/ (TOML). See docs/devices.md.
#pragma once

#include "base/error.h"
#include "base/power_desc.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mcusim {

enum class CoreKind { M0plus, M3, M4, M4F, M7, M33 };

/// "cortex-m4f" -> CoreKind::M4F; nullopt for an unknown name.
std::optional<CoreKind> parse_core(std::string_view name);
const char *core_name(CoreKind core);       ///< "cortex-m4f"
const char *core_display_name(CoreKind core); ///< "Cortex-M4F"
bool core_is_v6m(CoreKind core);
bool core_has_dsp(CoreKind core);
bool core_is_v8m(CoreKind core);

enum class RegionKind { Flash, Sram, Tcm, Rom, Peripheral };
const char *region_kind_name(RegionKind kind);

struct MemoryRegionDesc {
  std::string name;
  RegionKind kind = RegionKind::Sram;
  uint32_t base = 0;
  uint64_t size = 0;
  bool read = true, write = true, exec = false;
  bool single_cycle = false; ///< Cortex-M0+ single-cycle I/O port (loads and stores take 1 cycle)
  std::vector<uint32_t> aliases;
  std::string source;
  /// What the wake-up from Standby does to parts of the region (`standby` in
  /// the device file): each part's contents are lost (filled with
  /// kStandbyLostFill, a model of 'undefined') unless `kept_by` names a
  /// condition the peripheral models report as holding (PWR_CR3.RRS).
  /// Empty: the whole region keeps its contents.
  struct StandbyPart {
    std::string name;    ///< "SRAM1"
    uint32_t base = 0;
    uint32_t size = 0;
    std::string kept_by; ///< empty: always lost; else PeripheralSpace::standby_keeps(kept_by)
    std::string source;
  };
  std::vector<StandbyPart> standby;
  static constexpr uint8_t kStandbyLostFill = 0x00;

  bool contains(uint64_t addr, uint64_t len = 1) const {
    return addr >= base && addr + len <= uint64_t(base) + size;
  }
  uint64_t end() const { return uint64_t(base) + size; }
};

/// Flash timing: wait states by clock (first row with max_mhz >= clock).
struct FlashTiming {
  struct Row {
    double max_mhz;
    unsigned ws;
  };
  std::vector<Row> wait_states; ///< empty: zero wait states
  unsigned line_bytes = 16;
  bool prefetch = true;
  unsigned ws_at(double mhz) const {
    for (const auto &r : wait_states)
      if (mhz <= r.max_mhz + 1e-9) return r.ws;
    return wait_states.empty() ? 0 : wait_states.back().ws;
  }
};

/// Flash cache in front of the flash (ST ART, Nordic NVMC cache, RP2040 XIP cache).
struct FlashAccelerator {
  std::string kind; ///< art, nvmc-icache, xip-cache
  unsigned icache_lines = 0, dcache_lines = 0, line_bytes = 16, ways = 0;
  bool enabled = true;
};

/// Cortex-M7 L1 caches.
struct L1Caches {
  unsigned icache_bytes = 0, icache_ways = 2, dcache_bytes = 0, dcache_ways = 4, line_bytes = 32;
};

/// One register of a peripheral block (`registers` of a `[[peripheral]]`).
struct PeripheralRegisterDesc {
  std::string name;     ///< "CR", as in the reference manual
  uint32_t offset = 0;  ///< from the block's base, a multiple of 4
  uint32_t reset = 0;   ///< value after reset
  uint32_t read_only = 0; ///< bits writes leave alone (status, ready flags)
  uint32_t w1c = 0;     ///< bits a written 1 clears (write-1-to-clear flags)
  std::string source;
};

/// One memory-mapped peripheral block (`[[peripheral]]`): where it is, which
/// model serves it (peripherals/), its interrupt lines and its registers.
struct PeripheralDesc {
  std::string name;   ///< "RCC"
  std::string model;  ///< "registers" (a plain register file) or a behavioural model ("stm32-rcc-l4")
  uint32_t base = 0;
  uint32_t size = 0;  ///< bytes, a multiple of 4
  std::vector<unsigned> irqs; ///< NVIC lines (0-based), in the order the model names them
  std::vector<PeripheralRegisterDesc> registers; ///< sorted by offset
  std::string source;
  const PeripheralRegisterDesc *register_at(uint32_t offset) const {
    for (const auto &r : registers)
      if (r.offset == offset) return &r;
    return nullptr;
  }
  bool contains(uint64_t addr) const { return addr >= base && addr < uint64_t(base) + size; }
};

struct Device {
  std::string name;  ///< lower-case identifier, e.g. "stm32f407"
  std::string title; ///< human-readable description
  std::filesystem::path file; ///< where it was read from (empty if built in code)
  CoreKind core = CoreKind::M4F;
  std::string fpu = "none"; ///< none, fpv4-sp-d16, fpv5-sp-d16, fpv5-d16
  double default_mhz = 100;
  double max_mhz = 100;
  uint32_t vector_table = 0;
  unsigned irqs = 32;
  unsigned priority_bits = 4;
  std::vector<MemoryRegionDesc> memory;
  FlashTiming flash;
  std::optional<FlashAccelerator> accelerator;
  std::optional<L1Caches> l1;
  bool small_multiplier = false; ///< Cortex-M0+ 32-cycle MULS option
  double wakeup_us = 0;          ///< Sleep-mode wake-up time
  std::optional<PowerDesc> power; ///< the [power] section, when the file has one
  std::vector<PeripheralDesc> peripherals; ///< the [[peripheral]] blocks, sorted by base (docs/peripherals.md)

  bool has_fpu() const { return fpu != "none"; }
  bool fpu_double() const { return fpu == "fpv5-d16"; }
  const MemoryRegionDesc *region_at(uint64_t addr, uint64_t len = 1) const;
  /// The [[peripheral]] block holding `addr`, or nullptr.
  const PeripheralDesc *peripheral_at(uint64_t addr) const;
  /// Sum of region sizes of the given kinds (capacity reporting).
  uint64_t capacity(std::initializer_list<RegionKind> kinds) const;
};

/// Parse one device description from a TOML file.
Expected<Device> load_device_file(const std::filesystem::path &file);
/// Parse a device description from TOML text (file is only used in messages).
Expected<Device> parse_device(std::string_view toml_text, const std::filesystem::path &file);

/// Directories searched for devices, in order: $MCUSIM_DEVICES_DIR, the
/// installed share dir, the source tree's devices/.
std::vector<std::filesystem::path> device_search_path();

/// Find a device by name (case-insensitive) or by path to a .toml file.
Expected<Device> find_device(const std::string &name_or_path);

/// Every device description found on the search path, sorted by name.
/// Malformed files are reported in `errors` and skipped.
std::vector<Device> list_devices(std::vector<Error> *errors = nullptr);

} // namespace mcusim
