/// \file
/// The opcode-to-class table and its exact-name index.
#include "isa/opcode_table.h"

#include <algorithm>
#include <array>
#include <vector>

namespace mcusim::isa {

namespace {
constexpr OpcodeClass kTable[] = {
#define MCUSIM_OPCODE(name, cls, words) {#name, InsnClass::cls, words},
#include "isa/opcode_classes.def"
#undef MCUSIM_OPCODE
};

/// Table entries sorted by name, for binary search.
const std::vector<const OpcodeClass *> &by_name() {
  static const std::vector<const OpcodeClass *> index = [] {
    std::vector<const OpcodeClass *> v;
    v.reserve(std::size(kTable));
    for (const auto &e : kTable) v.push_back(&e);
    std::sort(v.begin(), v.end(), [](const OpcodeClass *a, const OpcodeClass *b) { return a->name < b->name; });
    return v;
  }();
  return index;
}
} // namespace

std::span<const OpcodeClass> opcode_classes() { return kTable; }

const OpcodeClass *find_opcode_class(std::string_view name) {
  const auto &v = by_name();
  auto it = std::lower_bound(v.begin(), v.end(), name, [](const OpcodeClass *e, std::string_view n) { return e->name < n; });
  return it != v.end() && (*it)->name == name ? *it : nullptr;
}

} // namespace mcusim::isa
