/// \file
/// Routing accesses to blocks; the unmodelled-access report.
#include "peripherals/bus.h"

#include <algorithm>
#include <cstdio>

namespace mcusim::peripherals {

namespace {
constexpr uint32_t kPage = 0x1000;

std::string hex8(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}
} // namespace

PeripheralBus::PeripheralBus(BusOptions options) : options_(std::move(options)) {}

void PeripheralBus::add(std::unique_ptr<Peripheral> block) {
  auto pos = std::upper_bound(blocks_.begin(), blocks_.end(), block->base(),
                              [](uint32_t base, const std::unique_ptr<Peripheral> &b) { return base < b->base(); });
  blocks_.insert(pos, std::move(block));
}

Peripheral *PeripheralBus::find(const std::string &name) const {
  for (const auto &b : blocks_)
    if (b->name() == name) return b.get();
  return nullptr;
}

Peripheral *PeripheralBus::block_at(uint32_t addr) const {
  auto it = std::upper_bound(blocks_.begin(), blocks_.end(), addr,
                             [](uint32_t a, const std::unique_ptr<Peripheral> &b) { return a < b->base(); });
  if (it == blocks_.begin()) return nullptr;
  Peripheral *p = std::prev(it)->get();
  return addr - p->base() < p->size() ? p : nullptr;
}

void PeripheralBus::reset() {
  for (auto &b : blocks_) b->reset();
}

void PeripheralBus::standby_reset() {
  for (auto &b : blocks_) b->standby_reset();
}

std::vector<PeripheralSpace::Window> PeripheralBus::windows() const {
  std::vector<Window> out;
  for (const auto &b : blocks_) {
    uint64_t lo = b->base() & ~(kPage - 1);
    uint64_t hi = (uint64_t(b->base()) + b->size() + kPage - 1) & ~uint64_t(kPage - 1);
    if (!out.empty() && lo <= uint64_t(out.back().base) + out.back().size) {
      uint64_t end = std::max<uint64_t>(uint64_t(out.back().base) + out.back().size, hi);
      out.back().size = uint32_t(end - out.back().base);
    } else {
      out.push_back({uint32_t(lo), uint32_t(hi - lo)});
    }
  }
  return out;
}

bool PeripheralBus::unmodelled_access(Peripheral &p, uint32_t offset, bool write) {
  const uint32_t addr = p.base() + offset;
  const bool first = reported_.insert(addr).second;
  if (!first && !options_.strict) return true; // the common case of a polled register: no text built
  const std::string reg = p.name() + (p.registers().describe(offset) ? "->" : "") + p.registers().name_of(offset);
  const std::string what = std::string(write ? "write to" : "read of") + " unmodelled register " + reg + " (" + hex8(addr) + ")";
  if (first) {
    unmodelled_.push_back(reg);
    const std::string line = "mcusim: unmodelled " + std::string(write ? "write to " : "read of ") + reg + " (" + hex8(addr) + ")";
    if (options_.report) options_.report(line);
    else std::fprintf(stderr, "%s\n", line.c_str());
  }
  if (options_.strict) {
    last_error_ = what + " (--strict-peripherals)";
    return false;
  }
  return true;
}

PeripheralAccess PeripheralBus::read(uint32_t addr, unsigned size, uint32_t &value) {
  Peripheral *p = block_at(addr);
  if (!p) return PeripheralAccess::Unclaimed;
  const uint32_t offset = (addr - p->base()) & ~3u;
  const unsigned shift = (addr & 3) * 8;
  uint32_t word;
  if (p->models(offset)) {
    word = p->read_register(offset);
  } else {
    if (!unmodelled_access(*p, offset, false)) return PeripheralAccess::BusError;
    word = p->registers().read(offset);
  }
  value = size >= 4 ? word : (word >> shift) & ((1u << (size * 8)) - 1);
  return PeripheralAccess::Done;
}

PeripheralAccess PeripheralBus::write(uint32_t addr, unsigned size, uint32_t value) {
  Peripheral *p = block_at(addr);
  if (!p) return PeripheralAccess::Unclaimed;
  const uint32_t offset = (addr - p->base()) & ~3u;
  const unsigned shift = (addr & 3) * 8;
  const uint32_t mask = size >= 4 ? 0xFFFFFFFFu : ((1u << (size * 8)) - 1) << shift;
  const uint32_t v = size >= 4 ? value : (value << shift) & mask;
  if (p->models(offset)) {
    p->write_register(offset, v, mask);
  } else {
    if (!unmodelled_access(*p, offset, true)) return PeripheralAccess::BusError;
    p->registers().write(offset, v, mask);
  }
  return PeripheralAccess::Done;
}

void PeripheralBus::retime(uint64_t now, double ratio) {
  for (auto &b : blocks_) b->retime(now, ratio);
}

std::optional<CoreClock> PeripheralBus::core_clock() const {
  std::optional<CoreClock> c;
  for (const auto &b : blocks_)
    if (auto hz = b->core_clock_hz(); hz && !c) {
      c = CoreClock{};
      c->hz = *hz;
    }
  if (!c) return c;
  for (const auto &b : blocks_) {
    if (auto ws = b->flash_latency(); ws && !c->flash_ws) c->flash_ws = *ws;
    if (auto mode = b->power_mode(); mode && !c->power_mode) c->power_mode = std::move(mode);
    if (auto accel = b->flash_accel(); accel && !c->accel) c->accel = accel;
  }
  return c;
}

void PeripheralBus::connect() {
  for (auto &b : blocks_) b->connect(*this);
}

std::optional<double> PeripheralBus::clock_hz(std::string_view name) const {
  for (const auto &b : blocks_)
    if (auto hz = b->clock_hz(name)) return hz;
  return std::nullopt;
}

std::optional<std::string> PeripheralBus::low_power_state() const {
  for (const auto &b : blocks_)
    if (auto st = b->low_power_state()) return st;
  return std::nullopt;
}

bool PeripheralBus::standby_keeps(const std::string &name) const {
  for (const auto &b : blocks_)
    if (auto kept = b->standby_keeps(name)) return *kept;
  return false;
}

} // namespace mcusim::peripherals
