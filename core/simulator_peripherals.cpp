/// \file
/// The peripheral space (core/peripheral_space.h): building it from
/// RunOptions::peripherals, mapping its windows with uc_mmio_map (the pages
/// they cover are left out of the plain mapping of the device's peripheral
/// region, so flash, SRAM and unmodelled peripheral space keep their direct
/// host-memory mapping), the MMIO callbacks, and the precise BusFault an
/// access the space refuses becomes (--strict-peripherals).
#include "core/simulator_impl.h"

#include <algorithm>
#include <cstring>

namespace mcusim {

using simulator_detail::hex8;

namespace {
constexpr uint32_t kPage = 0x1000; ///< the engine's mapping granule
} // namespace

Expected<std::vector<std::pair<uint32_t, uint64_t>>> Simulator::Impl::make_peripherals(const Device &device) {
  std::vector<std::pair<uint32_t, uint64_t>> holes;
  if (opts.peripherals) {
    periph_host = std::make_unique<PeripheralHost>(PeripheralHost{
        sched, [this] { return precise_valid && in_emulation ? precise_now : cycles; },
        [this](unsigned irq) {
          if (!scs) return;
          scs->set_pending(kExcIrq0 + int(irq));
          stop_soon();
        },
        sim.hz_, [this] {
          // At the next block boundary (the run loop), never inside a block.
          clock_dirty = true;
          stop_soon();
        },
        opts.peripheral_io, {}, {}, {}, {}});
    auto ram = [this](uint32_t addr, uint32_t len) -> uint8_t * {
      const MappedRegion *r = mem.region_at(addr);
      if (!r || r->desc.kind != RegionKind::Sram || !len) return nullptr;
      uint8_t *p = mem.host_ptr(addr, len);
      return p && mem.region_at(addr + len - 1) == r ? p : nullptr;
    };
    periph_host->read_ram = [ram](uint32_t addr, void *data, uint32_t len) {
      const uint8_t *p = ram(addr, len);
      if (p) std::memcpy(data, p, len);
      return p != nullptr;
    };
    periph_host->write_ram = [ram](uint32_t addr, const void *data, uint32_t len) {
      uint8_t *p = ram(addr, len);
      if (p) std::memcpy(p, data, len);
      return p != nullptr;
    };
    periph_host->power_off = [this](const std::string &why) {
      if (!power_off) power_off = why;
      stop_soon();
    };
    auto made = opts.peripherals(*periph_host);
    if (!made) return tl::unexpected(made.error());
    periph = std::move(*made);
  }
  if (opts.strict_peripherals) {
    // Every peripheral region is MMIO: an access no block claims is a bus error.
    for (const auto &r : device.memory)
      if (r.kind == RegionKind::Peripheral) holes.push_back({r.base, r.end()});
  } else if (periph) {
    for (const auto &w : periph->windows()) holes.push_back({w.base, uint64_t(w.base) + w.size});
  }
  std::sort(holes.begin(), holes.end());
  for (size_t i = 0; i < holes.size(); ++i) {
    if (holes[i].first % kPage || holes[i].second % kPage)
      return make_error(ErrorKind::Internal, "peripheral window " + hex8(holes[i].first) + " is not 4 KiB aligned");
    if (i && holes[i].first < holes[i - 1].second)
      return make_error(ErrorKind::Internal, "peripheral windows overlap at " + hex8(holes[i].first));
    const MemoryRegionDesc *r = device.region_at(holes[i].first, holes[i].second - holes[i].first);
    if (!r || r->kind != RegionKind::Peripheral)
      return make_error(ErrorKind::BadDevice, "peripheral window " + hex8(holes[i].first) + " is not inside a peripheral region of " +
                                                  device.name);
  }
  for (const auto &[b, e] : holes) periph_windows.push_back(std::make_unique<PeriphWindow>(PeriphWindow{this, b}));
  return holes;
}

Expected<void> Simulator::Impl::map_peripherals() {
  for (size_t i = 0; i < periph_windows.size(); ++i) {
    PeriphWindow *w = periph_windows[i].get();
    uint64_t size = 0;
    if (opts.strict_peripherals) {
      size = sim.device_.region_at(w->base)->end() - w->base;
    } else {
      for (const auto &pw : periph->windows())
        if (pw.base == w->base) size = pw.size;
    }
    if (uc_err err = uc_mmio_map(uc, w->base, size, &Impl::on_periph_read, w, &Impl::on_periph_write, w); err != UC_ERR_OK)
      return make_error(ErrorKind::Internal, "cannot map the peripheral window at " + hex8(w->base) + ": " + uc_strerror(err));
  }
  return {};
}

void Simulator::Impl::peripheral_bus_error(uint32_t addr, bool write, const std::string &cause) {
  if (periph_fault_pending) return; // the first refused access of the block is the fault
  periph_fault_pending = true;
  periph_fault_addr = addr;
  periph_fault_write = write;
  periph_fault_cause = cause;
  stop_soon();
  uc_emu_stop(uc);
}

/// A refused peripheral access: a precise BusFault at the access's address.
/// The engine stops at the end of the block holding the access, so the
/// registers may show the block's later instructions; the fault's PC is the
/// accessing instruction where the block can be decoded again.
void Simulator::Impl::handle_peripheral_fault() {
  auto [fpc, exact] = faulting_instruction(periph_fault_addr, periph_fault_write);
  raise_fault(kExcBusFault, cfsr::PRECISERR | cfsr::BFARVALID, fpc, "precise data bus error: " + periph_fault_cause,
              periph_fault_addr, exact);
}

uint64_t Simulator::Impl::on_periph_read(uc_engine *, uint64_t offset, unsigned size, void *user) {
  auto *w = static_cast<PeriphWindow *>(user);
  Impl &s = *w->s;
  const uint32_t addr = w->base + uint32_t(offset);
  s.locate_access(addr, false);
  uint32_t value = 0;
  PeripheralAccess a = s.periph ? s.periph->read(addr, size, value) : PeripheralAccess::Unclaimed;
  if (a == PeripheralAccess::Done) return value;
  if (a == PeripheralAccess::Unclaimed && !s.opts.strict_peripherals) {
    s.mem.read(addr, &value, size); // plain memory, as the rest of the region
    return value;
  }
  s.peripheral_bus_error(addr, false,
                         a == PeripheralAccess::BusError ? s.periph->last_error()
                                                         : "read of " + hex8(addr) + ": no peripheral block there (--strict-peripherals)");
  return 0;
}

void Simulator::Impl::on_periph_write(uc_engine *, uint64_t offset, unsigned size, uint64_t value, void *user) {
  auto *w = static_cast<PeriphWindow *>(user);
  Impl &s = *w->s;
  const uint32_t addr = w->base + uint32_t(offset);
  s.locate_access(addr, true);
  PeripheralAccess a = s.periph ? s.periph->write(addr, size, uint32_t(value)) : PeripheralAccess::Unclaimed;
  if (a == PeripheralAccess::Done) return;
  if (a == PeripheralAccess::Unclaimed && !s.opts.strict_peripherals) {
    uint32_t v = uint32_t(value);
    s.mem.write(addr, &v, size);
    return;
  }
  s.peripheral_bus_error(addr, true,
                         a == PeripheralAccess::BusError ? s.periph->last_error()
                                                         : "write to " + hex8(addr) + ": no peripheral block there (--strict-peripherals)");
}

} // namespace mcusim
