/// \file
/// The static arena plan: every tensor that is not a constant (the model's
/// inputs and outputs included) gets a fixed offset in one arena whose size is
/// known at compile time. The rule (docs/tinyml.md, "The memory plan"):
///  - lifetime: a tensor is live from the operator that writes it (operator 0
///    for a model input) to the last operator that reads it (the last operator
///    for a model output), both inclusive, so an operator's inputs and outputs
///    never share memory;
///  - RESHAPE's output is a view of its input: the same offset, no copy, and
///    the input's lifetime is extended to the view's;
///  - placement, greedy best fit: buffers are placed one by one, each in the
///    smallest gap between the already placed buffers whose lifetimes overlap
///    its own that fits it (ties: the lower offset), else above them all. Three
///    orders are tried: by decreasing size (ties: earlier first use, then lower
///    tensor id), by first use, by decreasing lifetime (both with ties in the
///    size order); the plan with the lowest peak is kept (the earlier order on
///    a tie);
///  - every offset is a multiple of kArenaAlignment.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nnc/model.h"

namespace mcusim::nnc {

inline constexpr uint64_t kArenaAlignment = 16;

struct TensorPlacement {
  int tensor = -1;     ///< tensor id
  uint64_t offset = 0; ///< bytes from the arena's start
  uint64_t size = 0;   ///< the tensor's bytes (not rounded)
  int first_op = 0;    ///< first operator during which the memory is live
  int last_op = 0;     ///< last operator during which the memory is live
  int alias_of = -1;   ///< tensor id whose memory this one shares (RESHAPE), else -1
};

struct ArenaPlan {
  std::vector<TensorPlacement> tensors; ///< by increasing tensor id
  uint64_t peak = 0;                    ///< arena bytes: the highest end of any buffer
  /// The largest sum of the sizes of buffers live during one operator (each
  /// shared buffer counted once): no plan can use less.
  uint64_t lower_bound = 0;
  /// The same with each size rounded up to kArenaAlignment: what is left above
  /// it is fragmentation.
  uint64_t aligned_lower_bound = 0;
  int lower_bound_op = 0; ///< the operator where the lower bound is reached

  /// "reaches the lower bound", or why not: alignment padding and fragmentation in bytes.
  std::string explanation() const;
  const TensorPlacement *find(int tensor) const;
};

ArenaPlan plan_arena(const Model &model);

} // namespace mcusim::nnc
