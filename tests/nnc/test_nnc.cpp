// mcusim-nnc's foundation: reading .tflite models, their MACs, and the arena plan.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "nnc/model.h"
#include "nnc/plan.h"
#include "tiny_model.h"

using namespace mcusim::nnc;

namespace {

const std::string kModels = std::string(MCUSIM_TEST_SOURCE_DIR) + "/models/mlperf-tiny/";

std::vector<uint8_t> read_bytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::map<std::string, int> op_counts(const Model &m) {
  std::map<std::string, int> counts;
  for (const auto &op : m.operators) ++counts[op_name(op.code)];
  return counts;
}

uint64_t total_macs(const Model &m) {
  uint64_t total = 0;
  for (const auto &op : m.operators) total += macs(m, op);
  return total;
}

uint64_t params(const Model &m) {
  uint64_t total = 0;
  for (const auto &t : m.tensors)
    if (t.constant) total += t.elements();
  return total;
}

Model load(const std::string &file) {
  auto m = load_model(kModels + file);
  INFO(file << ": " << (m ? std::string() : m.error().message));
  REQUIRE(m.has_value());
  return std::move(*m);
}

const char *const kAllModels[] = {"kws_ref_model.tflite",          "kws_ref_model_float32.tflite",
                                  "vww_96_int8.tflite",            "pretrainedResnet_quant.tflite",
                                  "pretrainedResnet.tflite",       "ad01_int8.tflite",
                                  "ad01_fp32.tflite"};

} // namespace

// figures.md §5.1: parameters, constant bytes, MACs and operators of the int8 models.
TEST_CASE("int8 MLPerf Tiny models: operators, parameters, weight bytes and MACs") {
  struct Expect {
    const char *file;
    uint64_t params, const_bytes, macs;
    std::map<std::string, int> ops;
  };
  const Expect expects[] = {
      {"kws_ref_model.tflite", 22606, 24376, 2656768,
       {{"CONV_2D", 5}, {"DEPTHWISE_CONV_2D", 4}, {"AVERAGE_POOL_2D", 1}, {"RESHAPE", 1}, {"FULLY_CONNECTED", 1},
        {"SOFTMAX", 1}}},
      {"vww_96_int8.tflite", 210852, 219072, 7489664,
       {{"CONV_2D", 14}, {"DEPTHWISE_CONV_2D", 13}, {"AVERAGE_POOL_2D", 1}, {"RESHAPE", 1}, {"FULLY_CONNECTED", 1},
        {"SOFTMAX", 1}}},
      {"pretrainedResnet_quant.tflite", 77708, 78752, 12501632,
       {{"CONV_2D", 9}, {"ADD", 3}, {"AVERAGE_POOL_2D", 1}, {"RESHAPE", 1}, {"FULLY_CONNECTED", 1}, {"SOFTMAX", 1}}},
      {"ad01_int8.tflite", 265864, 270880, 264192, {{"FULLY_CONNECTED", 10}}},
  };
  for (const auto &e : expects) {
    CAPTURE(e.file);
    const Model m = load(e.file);
    CHECK(op_counts(m) == e.ops);
    CHECK(params(m) == e.params);
    CHECK(m.weight_bytes() == e.const_bytes);
    CHECK(total_macs(m) == e.macs);
    for (const auto &t : m.tensors)
      if (!t.constant) CHECK(t.type == DType::Int8);
    CHECK(m.inputs.size() == 1);
    CHECK(m.outputs.size() == 1);
  }
}

TEST_CASE("FP32 MLPerf Tiny models load with the MACs of their int8 versions") {
  const std::pair<const char *, uint64_t> expects[] = {
      {"kws_ref_model_float32.tflite", 2656768}, {"pretrainedResnet.tflite", 12501632}, {"ad01_fp32.tflite", 264192}};
  for (const auto &expect : expects) {
    const char *file = expect.first;
    const uint64_t expected_macs = expect.second;
    CAPTURE(file);
    const Model m = load(file);
    CHECK(total_macs(m) == expected_macs);
    CHECK(m.tensors[static_cast<size_t>(m.inputs[0])].type == DType::Float32);
    CHECK(m.tensors[static_cast<size_t>(m.outputs[0])].type == DType::Float32);
  }
}

TEST_CASE("quantization: per-channel weights, per-tensor activations") {
  const Model m = load("kws_ref_model.tflite");
  const Operator &conv = m.operators[0];
  REQUIRE(conv.code == OpCode::Conv2D);
  const Tensor &w = m.tensors[static_cast<size_t>(conv.inputs[1])];
  CHECK(w.quant.per_channel());
  CHECK(w.quant.scale.size() == static_cast<size_t>(w.shape[0]));
  CHECK(w.quant.zero_point.size() == w.quant.scale.size());
  const Tensor &in = m.tensors[static_cast<size_t>(m.inputs[0])];
  CHECK(in.quant.scale.size() == 1);
  CHECK(in.shape == std::vector<int32_t>{1, 49, 10, 1});
  const auto *opts = std::get_if<ConvOptions>(&conv.options);
  REQUIRE(opts != nullptr);
  CHECK(opts->stride_w == 2);
  CHECK(opts->stride_h == 2);
  CHECK(opts->activation == Activation::Relu);
  CHECK(conv.version >= 1);
}

// The plan's invariants, on every model: each arena tensor placed at an
// aligned offset, buffers live at the same time never overlap in memory, and
// the peak is at least the lower bound.
TEST_CASE("arena plan invariants on every model") {
  for (const char *file : kAllModels) {
    CAPTURE(file);
    const Model m = load(file);
    const ArenaPlan plan = plan_arena(m);
    CHECK(plan.peak >= plan.lower_bound);
    CHECK(plan.lower_bound > 0);
    uint64_t top = 0;
    for (const auto &p : plan.tensors) {
      CHECK(p.offset % kArenaAlignment == 0);
      CHECK_FALSE(m.tensors[static_cast<size_t>(p.tensor)].constant);
      top = std::max(top, p.offset + p.size);
    }
    CHECK(top == plan.peak);
    for (int id : m.inputs) CHECK(plan.find(id) != nullptr);
    for (int id : m.outputs) CHECK(plan.find(id) != nullptr);
    for (const auto &op : m.operators)
      for (int id : op.outputs) CHECK(plan.find(id) != nullptr);
    auto root = [](const TensorPlacement &p) { return p.alias_of >= 0 ? p.alias_of : p.tensor; };
    size_t pairs = 0;
    for (const auto &a : plan.tensors)
      for (const auto &b : plan.tensors) {
        if (a.tensor >= b.tensor || root(a) == root(b)) continue;
        const bool in_time = a.first_op <= b.last_op && b.first_op <= a.last_op;
        if (!in_time) continue;
        ++pairs;
        const bool in_memory = a.offset < b.offset + b.size && b.offset < a.offset + a.size;
        INFO("tensors " << a.tensor << " and " << b.tensor);
        CHECK_FALSE(in_memory);
      }
    CHECK(pairs > 0);
    // Each operator's own output is live while it runs.
    for (const auto &op : m.operators) {
      const TensorPlacement *out = plan.find(op.outputs[0]);
      CHECK(out->first_op <= op.index);
      CHECK(out->last_op >= op.index);
    }
  }
}

TEST_CASE("arena plan: RESHAPE's output is a view of its input") {
  for (const char *file : kAllModels) {
    CAPTURE(file);
    const Model m = load(file);
    const ArenaPlan plan = plan_arena(m);
    for (const auto &op : m.operators) {
      if (op.code != OpCode::Reshape) continue;
      const TensorPlacement *in = plan.find(op.inputs[0]);
      const TensorPlacement *out = plan.find(op.outputs[0]);
      REQUIRE(in != nullptr);
      REQUIRE(out != nullptr);
      CHECK(out->alias_of == op.inputs[0]);
      CHECK(out->offset == in->offset);
      CHECK(in->last_op >= out->last_op);
    }
  }
}

TEST_CASE("arena plan: KWS reaches its lower bound of two 8,000-byte activations") {
  const Model m = load("kws_ref_model.tflite");
  const ArenaPlan plan = plan_arena(m);
  CHECK(plan.lower_bound == 16000);
  CHECK(plan.peak == 16000);
  CHECK(plan.explanation() == "reaches the lower bound");
}

// The size order alone leaves a 9,216-byte gap on MobileNetV1 (64,512 B); another order does not.
TEST_CASE("arena plan: VWW reaches its lower bound") {
  const Model m = load("vww_96_int8.tflite");
  const ArenaPlan plan = plan_arena(m);
  CHECK(plan.lower_bound == 55296);
  CHECK(plan.peak == 55296);
}

TEST_CASE("arena plan: above the lower bound, the excess is explained") {
  ArenaPlan plan;
  plan.lower_bound = 1000;
  plan.aligned_lower_bound = 1008;
  plan.peak = 1100;
  CHECK(plan.explanation() == "+100 B above it: 8 B alignment padding (16-byte offsets), 92 B fragmentation "
                              "(gaps the greedy placement leaves)");
}

TEST_CASE("refused models: one line naming what is wrong") {
  auto refused = [](std::vector<uint8_t> bytes) {
    auto m = parse_model(std::move(bytes));
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().kind == ErrorKind::BadModel);
    CHECK(m.error().message.find('\n') == std::string::npos);
    return m.error().message;
  };
  auto kws = read_bytes(kModels + "kws_ref_model.tflite");
  REQUIRE(kws.size() > 50000);
  SUBCASE("truncated") {
    kws.resize(kws.size() / 2);
    CHECK(refused(kws).find("truncated") != std::string::npos);
  }
  SUBCASE("not a tflite file") {
    std::string text = "this is not a model, just some text that is long enough";
    CHECK(refused({text.begin(), text.end()}).find("not a TensorFlow Lite model") != std::string::npos);
  }
  SUBCASE("empty") { CHECK(refused({}).find("not a TensorFlow Lite model") != std::string::npos); }
  SUBCASE("unsupported operator") {
    CHECK(refused(nnc_test::tiny_model({.op = 16})) == "operator 0 (LSTM) is not supported");
  }
  SUBCASE("unknown operator code") {
    CHECK(refused(nnc_test::tiny_model({.op = 400})) == "operator 0 (code 400) is not supported");
  }
  SUBCASE("several subgraphs") {
    CHECK(refused(nnc_test::tiny_model({.subgraphs = 2})) ==
          "the model has 2 subgraphs; mcusim-nnc supports exactly one");
  }
  SUBCASE("dynamic shape") {
    CHECK(refused(nnc_test::tiny_model({.signature = {1, -1}})) ==
          "tensor 0 (in) has a dynamic shape (shape_signature [1,-1])");
  }
  SUBCASE("unsupported element type") {
    CHECK(refused(nnc_test::tiny_model({.input_type = 7})) ==
          "tensor 0 (in) has element type INT16, which is not supported (FLOAT32, INT8, INT32)");
  }
}

TEST_CASE("a free batch dimension is compiled for batch 1, and a supported tiny model loads and plans") {
  auto m = parse_model(nnc_test::tiny_model({.signature = {-1, 4}}));
  REQUIRE(m.has_value());
  CHECK(m->operators.size() == 1);
  CHECK(m->operators[0].code == OpCode::Softmax);
  const ArenaPlan plan = plan_arena(*m);
  CHECK(plan.lower_bound == 8);
  CHECK(plan.peak == 20); // the output sits at the next 16-byte boundary
  CHECK(plan.explanation().find("alignment padding") != std::string::npos);
}

TEST_CASE("an unreadable file is told apart from a bad model") {
  auto m = load_model(kModels + "no-such-model.tflite");
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().kind == ErrorKind::Unreadable);
}
