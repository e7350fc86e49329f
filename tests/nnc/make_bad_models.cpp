// Writes the bad models the mcusim-nnc command-line tests refuse (--plan or -o):
//   make_bad_models <good.tflite> <out-dir>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tiny_model.h"

namespace {
void write(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char *>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
}
} // namespace

int main(int argc, char **argv) {
  if (argc != 3) return 64;
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<uint8_t> good{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (good.size() < 1000) return 66;
  const std::string dir = argv[2];
  std::filesystem::create_directories(dir);
  write(dir + "/truncated.tflite", {good.begin(), good.begin() + static_cast<long>(good.size() / 2)});
  const std::string text = "model = not a flatbuffer\n";
  write(dir + "/not-a-model.tflite", {text.begin(), text.end()});
  write(dir + "/lstm.tflite", nnc_test::tiny_model({.op = 16}));
  write(dir + "/two-subgraphs.tflite", nnc_test::tiny_model({.subgraphs = 2}));
  write(dir + "/dynamic.tflite", nnc_test::tiny_model({.signature = {1, -1}}));
  // Readable and planned, but refused by code generation: FULLY_CONNECTED
  // weights with zero point 3 (the kernels need symmetric weights).
  nnc_test::TinyGraph fc;
  fc.tensors = {{{1, 4}, 9, {}, {0.5f}, {0}, 0, "in"},
                {{2, 4}, 9, std::vector<uint8_t>(8, 1), {0.25f}, {3}, 0, "weights"},
                {{1, 2}, 9, {}, {1.0f}, {0}, 0, "out"}};
  fc.ops = {{9, {0, 1}, {2}}};
  fc.inputs = {0};
  fc.outputs = {2};
  write(dir + "/asymmetric-weights.tflite", nnc_test::tiny_graph(fc));
  return 0;
}
