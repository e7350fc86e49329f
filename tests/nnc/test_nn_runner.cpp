// The runner of generated models (firmware/nn/runner/nn_runner.h): the random
// input sequence, the CRC, the printed lines, input loading before every invocation.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "nn_runner.h"

namespace {

std::string printed;
void put(const char *text) { printed += text; }

int8_t in8[8], out8[3];
float in_f[3];
int invocations;
void invoke_copy() {
  ++invocations;
  std::memcpy(out8, in8, sizeof out8);
  std::memset(in8, 0x55, sizeof in8); // the arena reuses the input's memory
}

nn_model_t int8_model() {
  nn_model_t m{};
  m.name = "tiny";
  m.invoke = invoke_copy;
  m.input = in8;
  m.input_count = 8;
  m.input_type = NN_INT8;
  m.output = out8;
  m.output_count = 3;
  m.output_type = NN_INT8;
  return m;
}

} // namespace

TEST_CASE("runner: xorshift32 input, int8 and float (worked out by hand from the plan's rule)") {
  nn_model_t m = int8_model();
  nn_runner_fill_random(&m, 1);
  // state 1 -> 0x00042021 -> ...: the top bytes.
  const int8_t expect[8] = {0, 4, -99, 18, -114, 44, 37, 25};
  CHECK(std::memcmp(in8, expect, 8) == 0);
  int8_t seed0[8];
  nn_runner_fill_random(&m, 0); // 0 counts as 1
  std::memcpy(seed0, in8, 8);
  CHECK(std::memcmp(seed0, expect, 8) == 0);

  m.input = in_f;
  m.input_count = 3;
  m.input_type = NN_FLOAT32;
  nn_runner_fill_random(&m, 1);
  // ((state >> 8) - 2^23) / 2^23 * 4 of the same states.
  CHECK(in_f[0] == -3.9994964599609375f);
  CHECK(in_f[1] == -3.874020576477051f);
  CHECK(in_f[2] == 0.9312324523925781f);
  CHECK(nn_runner_input_bytes(&m) == 12);
}

TEST_CASE("runner: CRC-32/ISO-HDLC and the printed lines") {
  CHECK(nn_runner_crc32("123456789", 9) == 0xcbf43926u);
  CHECK(nn_runner_crc32("", 0) == 0u);
  nn_model_t m = int8_model();
  out8[0] = 10;
  out8[1] = -2;
  out8[2] = 0;
  printed.clear();
  nn_runner_print_model(&m, put);
  nn_runner_print_input_seed(4294967295u, put);
  nn_runner_print_input_file("dir/sub\\in.bin", put);
  nn_runner_print_output(&m, put);
  const std::string crc = [] {
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", nn_runner_crc32(out8, 3));
    return std::string(buf);
  }();
  CHECK(printed == "model tiny\ninput seed 4294967295\ninput file in.bin\noutput int8 3 0afe00\noutput crc32 " + crc +
                       "\n");
  // A long output is printed in pieces but as one line.
  static float big[100];
  for (int i = 0; i < 100; ++i) big[i] = 1.0f; // 0000803f
  m.output = big;
  m.output_count = 100;
  m.output_type = NN_FLOAT32;
  printed.clear();
  nn_runner_print_output(&m, put);
  std::string hex;
  for (int i = 0; i < 100; ++i) hex += "0000803f";
  CHECK(printed.substr(0, printed.find("\noutput crc32")) == "output float32 100 " + hex);
}

TEST_CASE("runner: nn_runner_run loads the input before every invocation, set_input checks the size") {
  nn_model_t m = int8_model();
  const int8_t bytes[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  CHECK(nn_runner_set_input(&m, bytes, 7) == -1);
  nn_runner_input from_bytes{bytes, 0};
  invocations = 0;
  nn_runner_run(&m, &from_bytes, 3);
  CHECK(invocations == 3);
  CHECK(out8[0] == 1);
  CHECK(out8[2] == 3);
  nn_runner_input from_seed{nullptr, 1};
  nn_runner_run(&m, &from_seed, 0); // at least once
  CHECK(invocations == 4);
  CHECK(out8[2] == -99);
  // nn_runner_invoke does not: the second invocation reads what the first left.
  nn_runner_load_input(&m, &from_bytes);
  nn_runner_invoke(&m, 2);
  CHECK(out8[0] == 0x55);
}
