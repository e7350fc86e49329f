#include "nnc/plan.h"

#include <algorithm>
#include <map>

#include "base/format.h"

namespace mcusim::nnc {
namespace {

uint64_t align_up(uint64_t v) { return (v + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment; }

// One block of arena memory: a tensor and every RESHAPE view of it.
struct Buffer {
  int root = -1;
  uint64_t size = 0;
  int first = 0, last = 0;
  uint64_t offset = 0;
  bool placed = false;
};

bool overlap_in_time(const Buffer &a, const Buffer &b) { return a.first <= b.last && b.first <= a.last; }

// Places the buffers in this order, each in the smallest gap (between the
// placed buffers whose lifetimes overlap its own) that fits it, else above
// them all; returns the arena's peak.
uint64_t place(const std::vector<Buffer *> &order) {
  for (Buffer *b : order) b->placed = false;
  uint64_t peak = 0;
  for (Buffer *b : order) {
    std::vector<const Buffer *> live;
    for (const Buffer *o : order)
      if (o->placed && overlap_in_time(*o, *b)) live.push_back(o);
    std::sort(live.begin(), live.end(), [](const Buffer *x, const Buffer *y) { return x->offset < y->offset; });
    uint64_t cursor = 0;
    uint64_t best = UINT64_MAX, best_gap = UINT64_MAX;
    for (const Buffer *o : live) {
      if (o->offset >= cursor + b->size) {
        const uint64_t gap = o->offset - cursor;
        if (gap < best_gap) {
          best_gap = gap;
          best = cursor;
        }
      }
      cursor = std::max(cursor, align_up(o->offset + o->size));
    }
    b->offset = best != UINT64_MAX ? best : cursor;
    b->placed = true;
    peak = std::max(peak, b->offset + b->size);
  }
  return peak;
}

} // namespace

std::string ArenaPlan::explanation() const {
  if (peak <= lower_bound) return "reaches the lower bound";
  const uint64_t padding = std::min(peak, aligned_lower_bound) - lower_bound;
  const uint64_t fragmentation = peak > aligned_lower_bound ? peak - aligned_lower_bound : 0;
  std::string s = "+";
  s += text::thousands(peak - lower_bound);
  s += " B above it:";
  if (padding) {
    s += ' ';
    s += text::thousands(padding);
    s += " B alignment padding (16-byte offsets)";
  }
  if (padding && fragmentation) s += ',';
  if (fragmentation) {
    s += ' ';
    s += text::thousands(fragmentation);
    s += " B fragmentation (gaps the greedy placement leaves)";
  }
  return s;
}

const TensorPlacement *ArenaPlan::find(int tensor) const {
  for (const auto &p : tensors)
    if (p.tensor == tensor) return &p;
  return nullptr;
}

ArenaPlan plan_arena(const Model &model) {
  const int nops = static_cast<int>(model.operators.size());
  const size_t nt = model.tensors.size();
  std::vector<int> first(nt, -1), last(nt, -1), alias(nt, -1);
  auto arena = [&](int id) { return id >= 0 && !model.tensors[static_cast<size_t>(id)].constant; };
  auto touch = [&](int id, int op) {
    auto i = static_cast<size_t>(id);
    if (first[i] < 0 || op < first[i]) first[i] = op;
    if (op > last[i]) last[i] = op;
  };
  for (int id : model.inputs)
    if (arena(id)) touch(id, 0);
  for (const auto &op : model.operators) {
    for (int id : op.inputs)
      if (arena(id)) touch(id, op.index);
    for (int id : op.outputs)
      if (arena(id)) touch(id, op.index);
    if (op.code == OpCode::Reshape && arena(op.inputs[0]) && arena(op.outputs[0]))
      alias[static_cast<size_t>(op.outputs[0])] = op.inputs[0];
  }
  for (int id : model.outputs)
    if (arena(id)) touch(id, std::max(nops - 1, 0));
  auto root_of = [&](int id) {
    while (alias[static_cast<size_t>(id)] >= 0) id = alias[static_cast<size_t>(id)];
    return id;
  };

  // One buffer per root, spanning the lifetimes of all its views.
  std::map<int, Buffer> buffers;
  for (size_t i = 0; i < nt; ++i) {
    if (first[i] < 0) continue;
    const int r = root_of(static_cast<int>(i));
    auto [it, fresh] = buffers.try_emplace(r);
    Buffer &b = it->second;
    if (fresh) {
      b.root = r;
      b.first = first[i];
      b.last = last[i];
    }
    b.size = std::max(b.size, model.tensors[i].bytes());
    b.first = std::min(b.first, first[i]);
    b.last = std::max(b.last, last[i]);
  }

  // Try each placement order; keep the lowest peak (the first on a tie).
  std::vector<Buffer *> by_size;
  for (auto &[r, b] : buffers) by_size.push_back(&b);
  std::stable_sort(by_size.begin(), by_size.end(), [](const Buffer *a, const Buffer *b) {
    if (a->size != b->size) return a->size > b->size;
    if (a->first != b->first) return a->first < b->first;
    return a->root < b->root;
  });
  std::vector<Buffer *> by_first = by_size;
  std::stable_sort(by_first.begin(), by_first.end(),
                   [](const Buffer *a, const Buffer *b) { return a->first < b->first; });
  std::vector<Buffer *> by_span = by_size;
  std::stable_sort(by_span.begin(), by_span.end(),
                   [](const Buffer *a, const Buffer *b) { return a->last - a->first > b->last - b->first; });

  ArenaPlan plan;
  std::map<int, uint64_t> best_offsets;
  uint64_t best_peak = UINT64_MAX;
  for (const auto *order : {&by_size, &by_first, &by_span}) {
    const uint64_t peak = place(*order);
    if (peak < best_peak) {
      best_peak = peak;
      for (const Buffer *b : *order) best_offsets[b->root] = b->offset;
    }
  }
  for (auto &[r, b] : buffers) b.offset = best_offsets[r];
  plan.peak = buffers.empty() ? 0 : best_peak;

  for (int op = 0; op < nops; ++op) {
    uint64_t sum = 0, aligned = 0;
    for (const auto &[r, b] : buffers)
      if (b.first <= op && op <= b.last) {
        sum += b.size;
        aligned += align_up(b.size);
      }
    if (sum > plan.lower_bound) {
      plan.lower_bound = sum;
      plan.lower_bound_op = op;
    }
    plan.aligned_lower_bound = std::max(plan.aligned_lower_bound, aligned);
  }

  for (size_t i = 0; i < nt; ++i) {
    if (first[i] < 0) continue;
    const Buffer &b = buffers.at(root_of(static_cast<int>(i)));
    TensorPlacement p;
    p.tensor = static_cast<int>(i);
    p.offset = b.offset;
    p.size = model.tensors[i].bytes();
    p.first_op = b.first;
    p.last_op = b.last;
    p.alias_of = alias[i] >= 0 ? root_of(static_cast<int>(i)) : -1;
    plan.tensors.push_back(p);
  }
  return plan;
}

} // namespace mcusim::nnc
