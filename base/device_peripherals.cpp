/// \file
/// The `[[peripheral]]` blocks of a device file: name, model, base, size,
/// interrupt lines and registers, checked against the memory map (a block
/// lies inside one `kind = "peripheral"` region, apart from the others) and
/// the NVIC (each line below `[nvic] irqs`). Which models exist is the
/// peripherals library's business; here a model is a non-empty name.
#include "base/device_reader.h"

#include <algorithm>
#include <cstdio>

namespace mcusim::device_detail {

namespace {

constexpr size_t kMaxPeripherals = 256;
constexpr size_t kMaxRegisters = 256;
constexpr size_t kMaxIrqsPerBlock = 16;
constexpr uint32_t kMaxBlockBytes = 0x10000; ///< 64 KiB: larger than any MCU peripheral block

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%08llX", static_cast<unsigned long long>(v));
  return buf;
}

/// Upper-case letters, digits and '_' (the way reference manuals spell them), starting with a letter.
bool register_style_name(const std::string &s) {
  if (s.empty() || s.size() > 32 || !(s[0] >= 'A' && s[0] <= 'Z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; });
}

bool model_style_name(const std::string &s) {
  if (s.empty() || s.size() > 40) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

void read_registers(const toml::array &regs, PeripheralDesc &p, Reader &rd) {
  if (regs.size() > kMaxRegisters) rd.fail("peripheral " + p.name + " has more than " + std::to_string(kMaxRegisters) + " registers", &regs);
  for (auto &node : regs) {
    auto t = node.as_table();
    if (!t) {
      rd.fail("registers of peripheral " + p.name + " must be tables {name, offset, reset, ...}", &node);
      return;
    }
    PeripheralRegisterDesc r;
    std::string where = "peripheral." + p.name + ".registers.";
    r.name = rd.get<std::string>(*t, "name", where.c_str()).value_or("?");
    if (!register_style_name(r.name))
      rd.fail("register name '" + r.name + "' of peripheral " + p.name +
                  " must be upper-case letters, digits and '_', starting with a letter (at most 32)",
              &node);
    where += r.name + ".";
    r.offset = rd.get<uint32_t>(*t, "offset", where.c_str()).value_or(0);
    r.reset = rd.get<uint32_t>(*t, "reset", where.c_str()).value_or(0);
    r.read_only = rd.get<uint32_t>(*t, "read_only", where.c_str(), false).value_or(0);
    r.w1c = rd.get<uint32_t>(*t, "w1c", where.c_str(), false).value_or(0);
    r.source = rd.get<std::string>(*t, "source", where.c_str(), false).value_or("");
    if (r.offset % 4 != 0 || r.offset >= p.size)
      rd.fail(p.name + "->" + r.name + ": offset " + hex(r.offset) + " must be a multiple of 4 inside the block (size " + hex(p.size) + ")",
              t->get("offset"));
    if (r.read_only & r.w1c)
      rd.fail(p.name + "->" + r.name + ": a bit cannot be both read_only and w1c (" + hex(r.read_only & r.w1c) + ")", &node);
    for (const auto &o : p.registers) {
      if (o.name == r.name) rd.fail("peripheral " + p.name + " has two registers named " + r.name, &node);
      if (o.offset == r.offset) rd.fail(p.name + "->" + r.name + " and " + p.name + "->" + o.name + " share offset " + hex(r.offset), &node);
    }
    p.registers.push_back(std::move(r));
  }
  std::sort(p.registers.begin(), p.registers.end(),
            [](const PeripheralRegisterDesc &a, const PeripheralRegisterDesc &b) { return a.offset < b.offset; });
}

void read_block(const toml::table &t, const toml::node &node, Device &d, Reader &rd) {
  PeripheralDesc p;
  p.name = rd.get<std::string>(t, "name", "peripheral.").value_or("?");
  if (!register_style_name(p.name))
    rd.fail("peripheral name '" + p.name + "' must be upper-case letters, digits and '_', starting with a letter (at most 32)", &node);
  if (std::any_of(d.peripherals.begin(), d.peripherals.end(), [&](const PeripheralDesc &o) { return o.name == p.name; }))
    rd.fail("two peripherals are named '" + p.name + "'", &node);
  std::string where = "peripheral." + p.name + ".";
  p.model = rd.get<std::string>(t, "model", where.c_str()).value_or("");
  if (rd.error.empty() && !model_style_name(p.model))
    rd.fail("peripheral " + p.name + ": model '" + p.model + "' must be lower-case letters, digits and '-'", t.get("model"));
  p.base = rd.get<uint32_t>(t, "base", where.c_str()).value_or(0);
  p.size = rd.get<uint32_t>(t, "size", where.c_str()).value_or(0);
  p.source = rd.get<std::string>(t, "source", where.c_str()).value_or("");
  if (p.size == 0 || p.size > kMaxBlockBytes || p.size % 4 != 0 || p.base % 4 != 0)
    rd.fail("peripheral " + p.name + ": base must be a multiple of 4 and size a multiple of 4 from 4 to " + hex(kMaxBlockBytes), &node);
  const MemoryRegionDesc *region = d.region_at(p.base, p.size);
  if (rd.error.empty() && (!region || region->kind != RegionKind::Peripheral))
    rd.fail("peripheral " + p.name + " (" + hex(p.base) + "-" + hex(uint64_t(p.base) + p.size - 1) +
                ") is not inside one [[memory]] region of kind \"peripheral\"",
            t.get("base"));
  if (auto irqs = t.get("irqs")) {
    auto arr = irqs->as_array();
    if (!arr) {
      rd.fail(where + "irqs must be an array of interrupt numbers", irqs);
    } else {
      if (arr->size() > kMaxIrqsPerBlock) rd.fail("peripheral " + p.name + " has more than " + std::to_string(kMaxIrqsPerBlock) + " irqs", arr);
      for (auto &n : *arr) {
        auto v = n.value_exact<int64_t>();
        if (!v || *v < 0 || *v >= int64_t(d.irqs))
          rd.fail("peripheral " + p.name + ": irqs must be interrupt numbers 0.." + std::to_string(d.irqs - 1) + " ([nvic] irqs)", &n);
        else p.irqs.push_back(unsigned(*v));
      }
    }
  }
  if (auto regs = t.get("registers")) {
    if (auto arr = regs->as_array()) read_registers(*arr, p, rd);
    else rd.fail(where + "registers must be an array of tables", regs);
  }
  d.peripherals.push_back(std::move(p));
}

} // namespace

void read_peripherals(const toml::table &root, Device &d, Reader &rd) {
  auto node = root.get("peripheral");
  if (!node) return;
  auto arr = node->as_array();
  if (!arr) {
    rd.fail("peripheral must be written [[peripheral]] (an array of tables)", node);
    return;
  }
  if (arr->size() > kMaxPeripherals) rd.fail("more than " + std::to_string(kMaxPeripherals) + " [[peripheral]] blocks", arr);
  for (auto &n : *arr) {
    auto t = n.as_table();
    if (!t) {
      rd.fail("[[peripheral]] entries must be tables", &n);
      return;
    }
    read_block(*t, n, d, rd);
    if (!rd.error.empty()) return;
  }
  std::sort(d.peripherals.begin(), d.peripherals.end(), [](const PeripheralDesc &a, const PeripheralDesc &b) { return a.base < b.base; });
  for (size_t i = 1; i < d.peripherals.size(); ++i) {
    const auto &a = d.peripherals[i - 1], &b = d.peripherals[i];
    if (b.base < uint64_t(a.base) + a.size)
      rd.fail("peripherals " + a.name + " (" + hex(a.base) + "-" + hex(uint64_t(a.base) + a.size - 1) + ") and " + b.name + " (" +
              hex(b.base) + "-" + hex(uint64_t(b.base) + b.size - 1) + ") overlap");
  }
}

} // namespace mcusim::device_detail
