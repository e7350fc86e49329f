/// \file
/// What the profiling hook collects during a run: cycles and instructions per
/// function (self and inclusive), call counts, the lowest stack pointer, heap
/// growth (the break's). Plain data: the profiler/ library turns it into a RunReport.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mcusim {

struct FunctionProfile {
  std::string name;  ///< "(no symbol)" for code outside every function symbol
  uint32_t addr = 0;
  uint32_t size = 0;
  std::string source; ///< "file.c:42" of its entry, from DWARF, if known
  uint64_t self_cycles = 0, self_instructions = 0;
  /// Self cycles of its calling-context subtrees (callees, tail calls and
  /// exceptions taken inside included), a recursive activation counted once.
  uint64_t inclusive_cycles = 0;
  uint64_t calls = 0; ///< activations: calls, tail calls, exception entries, the reset handler's root frame
};

/// One execution of a layer (a marker pair, or a call the layer rules match).
struct LayerRecord {
  std::string name, op; ///< op type when the marker gives one
  uint64_t macs = 0;    ///< multiply-accumulates, when the marker gives them
  uint64_t start = 0, end = 0; ///< cycle counts
  uint32_t depth = 0;   ///< nesting level (0 = outermost)
  /// The invocation of the model's interpreter it ran in (TFLM's
  /// MicroInterpreter::Invoke or MicroInterpreterGraph::InvokeSubgraph,
  /// numbered 1, 2, ... in order); 0 outside every invocation or when the
  /// firmware has no interpreter (profiler/layer_table.h then applies the
  /// marker rules of docs/markers.md).
  uint32_t invocation = 0;
};

/// A function activation on the simulated timeline (for traces).
struct CallRecord {
  uint32_t func = 0; ///< index into ProfileData::functions
  uint64_t start = 0, end = 0;
  uint32_t depth = 0;
  bool exception = false;
};

struct ProfileData {
  std::vector<FunctionProfile> functions; ///< index 0 is "(no symbol)"
  uint64_t unattributed_cycles = 0; ///< exception entry/exit, sleep, idle fast-forward, wake-up
  uint32_t initial_sp = 0;
  uint32_t min_sp = 0;            ///< lowest SP seen at calls and exception entries
  bool malloc_used = false;       ///< malloc/calloc/realloc was called
  uint64_t heap_bytes = 0;        ///< how far the heap break rose above its first value (through _sbrk)
  uint32_t max_call_depth = 0;
  uint64_t exceptions_taken = 0;
  /// Tensor arena: the named buffer, its size and the bytes in use at the end
  /// (the arena starts zeroed in .bss; the longest run of zero bytes is taken
  /// as the free gap between what is allocated from the bottom, the head, and
  /// from the top, the tail): used = head + tail.
  std::string arena_symbol;
  uint32_t arena_size = 0, arena_used = 0, arena_nonzero = 0, arena_head = 0, arena_tail = 0;
  std::vector<LayerRecord> layers; ///< in start order
  /// Self cycles per call path ("main;conv;dot" -> cycles), for flame graphs.
  std::vector<std::pair<std::string, uint64_t>> stacks;
  std::vector<CallRecord> calls;   ///< activations up to kTraceDepth deep, at most kTraceCalls
  static constexpr uint32_t kTraceDepth = 8;
  static constexpr size_t kTraceCalls = 200000;
  bool calls_truncated = false;
  std::string layer_source;        ///< "markers", "pattern", "tflm-profiler", "tflm-calls" or ""
};

} // namespace mcusim
