// A miniature of TensorFlow Lite Micro's call structure, for testing layer
// detection without the real library: MicroInterpreter::Invoke calls
// MicroInterpreterGraph::InvokeSubgraph, which calls each op's kernel through
// one indirect call site (registration->invoke), bracketed by
// MicroProfiler::BeginEvent(tag)/EndEvent when a profiler is installed.
// Kernel names repeat across ops (EvalInt8), as in TFLM.
#include <stdint.h>
#include <stdio.h>

// No C++ runtime library is linked: the one hook a pure virtual needs.
extern "C" void __cxa_pure_virtual() {
  while (1) {
  }
}

namespace tflite {

struct TfLiteNode {
  int index;
};
using InvokeFn = int (*)(TfLiteNode *);
struct TFLMRegistration {
  InvokeFn invoke;
  const char *name;
};

class MicroProfilerInterface {
public:
  virtual uint32_t BeginEvent(const char *tag) = 0;
  virtual void EndEvent(uint32_t handle) = 0;
};

class MicroProfiler : public MicroProfilerInterface {
public:
  uint32_t BeginEvent(const char *tag) override;
  void EndEvent(uint32_t handle) override;
  uint32_t events = 0;
};
__attribute__((noinline)) uint32_t MicroProfiler::BeginEvent(const char *tag) {
  (void)tag;
  return events++;
}
__attribute__((noinline)) void MicroProfiler::EndEvent(uint32_t handle) { (void)handle; }

static int8_t activations[2][256];
// The tensor arena: planned statically, as TFLM applications do.
alignas(16) static uint8_t tensor_arena[8192];
static volatile int32_t sink;

namespace {
// Kernels: the same name for different ops, as TFLM's EvalInt8 is.
__attribute__((noinline)) int EvalInt8(TfLiteNode *node) { // conv-like
  int32_t acc = 0;
  for (int i = 0; i < 256; i++)
    for (int k = 0; k < 4; k++) acc += activations[0][(i + k) & 255] * (k - 1);
  sink = acc + node->index;
  return 0;
}
} // namespace
namespace relu {
__attribute__((noinline)) int EvalInt8(TfLiteNode *node) {
  for (int i = 0; i < 256; i++)
    if (activations[1][i] < 0) activations[1][i] = 0;
  sink = node->index;
  return 0;
}
} // namespace relu
namespace fully_connected {
__attribute__((noinline)) int EvalInt8(TfLiteNode *node) {
  int32_t acc = 0;
  for (int o = 0; o < 10; o++)
    for (int i = 0; i < 256; i++) acc += activations[1][i] * ((o + i) % 5 - 2);
  sink = acc + node->index;
  return 0;
}
} // namespace fully_connected

// The model: four nodes, two of them of one op (CONV_2D), as a real model's
// graph repeats ops; each node must still be a layer of its own.
static const TFLMRegistration kOps[] = {{EvalInt8, "CONV_2D"},
                                        {relu::EvalInt8, "RELU"},
                                        {EvalInt8, "CONV_2D"},
                                        {fully_connected::EvalInt8, "FULLY_CONNECTED"}};
constexpr int kNodes = sizeof kOps / sizeof kOps[0];

class MicroInterpreterGraph {
public:
  explicit MicroInterpreterGraph(MicroProfilerInterface *profiler) : profiler_(profiler) {}
  int InvokeSubgraph(int subgraph_idx);

private:
  MicroProfilerInterface *profiler_;
};

__attribute__((noinline)) int MicroInterpreterGraph::InvokeSubgraph(int subgraph_idx) {
  static TfLiteNode nodes[kNodes] = {{0}, {1}, {2}, {3}};
  for (int i = 0; i < kNodes; i++) {
    const TFLMRegistration *registration = &kOps[i];
    uint32_t handle = 0;
    if (profiler_) handle = profiler_->BeginEvent(registration->name);
    int status = registration->invoke(&nodes[i]);
    if (profiler_) profiler_->EndEvent(handle);
    if (status) return status;
  }
  return subgraph_idx;
}

class MicroInterpreter {
public:
  explicit MicroInterpreter(MicroProfilerInterface *profiler) : graph_(profiler) {}
  __attribute__((noinline)) int Invoke() { return graph_.InvokeSubgraph(0); }

private:
  MicroInterpreterGraph graph_;
};

} // namespace tflite

int main() {
#ifdef WITH_PROFILER
  static tflite::MicroProfiler profiler;
  tflite::MicroInterpreter interpreter(&profiler);
  // Set-up timed with the same profiler, as TFLM's benchmarks do
  // ("InitializeKeywordRunner"): an event outside every invocation, not a layer.
  uint32_t setup = profiler.BeginEvent("InitializeRunner");
#else
  tflite::MicroInterpreter interpreter(nullptr);
#endif
  for (int i = 0; i < 256; i++) tflite::activations[0][i] = int8_t(i * 7), tflite::activations[1][i] = int8_t(i * 13);
  for (int i = 0; i < 3000; i++) tflite::tensor_arena[i] = uint8_t(i | 1); // tensors planned into the first 3000 bytes
  tflite::sink = tflite::tensor_arena[2999];
#ifdef WITH_PROFILER
  profiler.EndEvent(setup);
#endif
  int status = 0;
  for (int n = 0; n < 2; n++) status |= interpreter.Invoke();
  printf("tflm_like: 2 inferences, status %d\n", status);
  return status;
}
