/* A tiny int8 network (conv 3x3 -> relu -> fully connected) whose layers are
 * bracketed with mcusim's markers, run for a few inferences. */
#include <stdint.h>
#include <stdio.h>

#include "mcusim.h"

#define H 12
#define W 12
#define OUT 10

static int8_t input[H][W], conv_out[H - 2][W - 2];
static const int8_t kernel[3][3] = {{1, -2, 1}, {2, 3, -1}, {0, 1, -2}};
static const int8_t fc_w[OUT][(H - 2) * (W - 2)] = {{1, 2, 3}, {-1, 0, 1}};
static int32_t logits[OUT];

static const mcusim_layer_t L_conv = {"conv1", "CONV_2D", (H - 2) * (W - 2) * 9};
static const mcusim_layer_t L_relu = {"relu1", "RELU", 0};
static const mcusim_layer_t L_fc = {"fc1", "FULLY_CONNECTED", OUT * (H - 2) * (W - 2)};

static void conv(void) {
  for (int y = 0; y < H - 2; y++)
    for (int x = 0; x < W - 2; x++) {
      int32_t acc = 0;
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) acc += input[y + i][x + j] * kernel[i][j];
      conv_out[y][x] = (int8_t)(acc > 127 ? 127 : acc < -128 ? -128 : acc);
    }
}

static void relu(void) {
  for (int y = 0; y < H - 2; y++)
    for (int x = 0; x < W - 2; x++)
      if (conv_out[y][x] < 0) conv_out[y][x] = 0;
}

static void fc(void) {
  const int8_t *v = &conv_out[0][0];
  for (int o = 0; o < OUT; o++) {
    int32_t acc = 0;
    for (int i = 0; i < (H - 2) * (W - 2); i++) acc += v[i] * fc_w[o][i];
    logits[o] = acc;
  }
}

int main(void) {
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) input[y][x] = (int8_t)((y * 7 + x * 3) % 21 - 10);
  int32_t sum = 0;
  for (int n = 0; n < 3; n++) {
    mcusim_layer_begin(&L_conv);
    conv();
    mcusim_layer_end();
    mcusim_layer_begin(&L_relu);
    relu();
    mcusim_layer_end();
    mcusim_layer_begin(&L_fc);
    fc();
    mcusim_layer_end();
    sum += logits[n % OUT];
    input[n][n] += 1;
  }
  printf("layers: 3 inferences, checksum %ld\n", (long)sum);
  return 0;
}
