/* nn_runner.c - see nn_runner.h. */
#include "nn_runner.h"

static uint32_t element_bytes(nn_type t) { return t == NN_FLOAT32 ? 4u : 1u; }

uint32_t nn_runner_input_bytes(const nn_model_t *model) {
  return (uint32_t)model->input_count * element_bytes(model->input_type);
}

uint32_t nn_runner_output_bytes(const nn_model_t *model) {
  return (uint32_t)model->output_count * element_bytes(model->output_type);
}

void nn_runner_fill_random(const nn_model_t *model, uint32_t seed) {
  uint32_t state = seed ? seed : 1u;
  for (int32_t i = 0; i < model->input_count; ++i) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    if (model->input_type == NN_FLOAT32)
      ((float *)model->input)[i] = (float)((int32_t)(state >> 8) - (1 << 23)) / (float)(1 << 23) * 4.0f;
    else
      ((int8_t *)model->input)[i] = (int8_t)(state >> 24);
  }
}

int nn_runner_set_input(const nn_model_t *model, const void *data, uint32_t bytes) {
  if (bytes != nn_runner_input_bytes(model)) return -1;
  const uint8_t *src = (const uint8_t *)data;
  uint8_t *dst = (uint8_t *)model->input;
  for (uint32_t i = 0; i < bytes; ++i) dst[i] = src[i];
  return 0;
}

void nn_runner_load_input(const nn_model_t *model, const nn_runner_input *input) {
  if (input->data)
    (void)nn_runner_set_input(model, input->data, nn_runner_input_bytes(model));
  else
    nn_runner_fill_random(model, input->seed);
}

void nn_runner_run(const nn_model_t *model, const nn_runner_input *input, uint32_t invocations) {
  do {
    nn_runner_load_input(model, input);
    model->invoke();
  } while (invocations-- > 1);
}

void nn_runner_invoke(const nn_model_t *model, uint32_t invocations) {
  do {
    model->invoke();
  } while (invocations-- > 1);
}

/* Decimal of v into buf (at least 11 bytes); returns buf. */
static char *decimal(uint32_t v, char *buf) {
  char tmp[11];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v);
  for (int i = 0; i < n; ++i) buf[i] = tmp[n - 1 - i];
  buf[n] = '\0';
  return buf;
}

static const char kHex[] = "0123456789abcdef";

void nn_runner_print_model(const nn_model_t *model, nn_put_string put) {
  put("model ");
  put(model->name);
  put("\n");
}

void nn_runner_print_input_seed(uint32_t seed, nn_put_string put) {
  char buf[12];
  put("input seed ");
  put(decimal(seed, buf));
  put("\n");
}

void nn_runner_print_input_file(const char *path, nn_put_string put) {
  const char *name = path;
  for (const char *p = path; *p; ++p)
    if (*p == '/' || *p == '\\') name = p + 1;
  put("input file ");
  put(name);
  put("\n");
}

void nn_runner_print_output(const nn_model_t *model, nn_put_string put) {
  char buf[65];
  const uint8_t *out = (const uint8_t *)model->output;
  const uint32_t bytes = nn_runner_output_bytes(model);
  put(model->output_type == NN_FLOAT32 ? "output float32 " : "output int8 ");
  put(decimal((uint32_t)model->output_count, buf));
  put(" ");
  uint32_t n = 0;
  for (uint32_t i = 0; i < bytes; ++i) {
    buf[n++] = kHex[out[i] >> 4];
    buf[n++] = kHex[out[i] & 15u];
    if (n == 64) {
      buf[n] = '\0';
      put(buf);
      n = 0;
    }
  }
  buf[n] = '\0';
  if (n) put(buf);
  put("\noutput crc32 ");
  const uint32_t crc = nn_runner_crc32(out, bytes);
  for (int i = 0; i < 8; ++i) buf[i] = kHex[(crc >> (28 - 4 * i)) & 15u];
  buf[8] = '\0';
  put(buf);
  put("\n");
}

uint32_t nn_runner_crc32(const void *data, uint32_t bytes) {
  const uint8_t *p = (const uint8_t *)data;
  uint32_t crc = 0xFFFFFFFFu;
  for (uint32_t i = 0; i < bytes; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc ^ 0xFFFFFFFFu;
}
