/*
 * host_main.c - runs one compiled model on the host and prints what the
 * firmware prints in mcusim (nn_runner.h):
 *
 *   nnc-host-<name> [--seed N | --input FILE] [--dump-layers FILE] [--invocations N]
 *
 * The model is linked in: the build defines NN_MODEL as <prefix>_model. Built
 * with NN_LAYER_HOOK, --dump-layers writes every operator's output, little
 * endian, one record per NN_LAYER_DONE: uint32 operator index, uint32 byte
 * count, the bytes (every invocation's); the first record (index 0xFFFFFFFF)
 * holds the input.
 * Exit codes: 0 ok, 64 usage, 66 the input file cannot be read or has the
 * wrong size, 73 the dump file cannot be written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_runner.h"

#ifndef NN_MODEL
#error "define NN_MODEL as the generated model's <prefix>_model"
#endif
extern const nn_model_t NN_MODEL;

static void put_stdout(const char *text) { fputs(text, stdout); }

static int usage(const char *message) {
  fprintf(stderr, "nnc-host: %s\nusage: nnc-host-%s [--seed N | --input FILE] [--dump-layers FILE] "
                  "[--invocations N]\n", message, NN_MODEL.name);
  return 64;
}

static int parse_u32(const char *s, uint32_t *out) {
  char *end = NULL;
  errno = 0;
  const unsigned long v = strtoul(s, &end, 0);
  if (errno || end == s || *end || s[0] == '-' || v > 0xFFFFFFFFul) return -1;
  *out = (uint32_t)v;
  return 0;
}

static FILE *dump_file;

static void write_u32(uint32_t v) {
  const unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                              (unsigned char)(v >> 24)};
  fwrite(b, 1, 4, dump_file);
}

static void dump_record(uint32_t index, const void *data, uint32_t bytes) {
  if (!dump_file) return;
  write_u32(index);
  write_u32(bytes);
  fwrite(data, 1, bytes, dump_file);
}

#if defined(NN_LAYER_HOOK)
void nn_layer_done(int32_t index, const void *data, uint32_t bytes) { dump_record((uint32_t)index, data, bytes); }
#endif

int main(int argc, char **argv) {
  uint32_t seed = 1, invocations = 1;
  const char *input_path = NULL, *dump_path = NULL;
  int have_seed = 0;
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--seed") || !strcmp(a, "--input") || !strcmp(a, "--dump-layers") || !strcmp(a, "--invocations")) {
      if (!v) return usage("an option needs a value");
      ++i;
      if (!strcmp(a, "--seed")) {
        if (parse_u32(v, &seed)) return usage("--seed needs a number from 0 to 4294967295");
        have_seed = 1;
      } else if (!strcmp(a, "--input")) {
        input_path = v;
      } else if (!strcmp(a, "--dump-layers")) {
        dump_path = v;
      } else if (parse_u32(v, &invocations) || invocations == 0) {
        return usage("--invocations needs a number of at least 1");
      }
    } else {
      return usage("unknown argument");
    }
  }
  if (have_seed && input_path) return usage("give --seed or --input, not both");
#if !defined(NN_LAYER_HOOK)
  if (dump_path) return usage("--dump-layers needs the -dump build of this program");
#endif

  const nn_model_t *m = &NN_MODEL;
  nn_runner_input input = {NULL, seed};
  unsigned char *buf = NULL;
  if (input_path) {
    FILE *f = fopen(input_path, "rb");
    if (!f) {
      fprintf(stderr, "nnc-host: cannot open %s: %s\n", input_path, strerror(errno));
      return 66;
    }
    const uint32_t want = nn_runner_input_bytes(m);
    buf = (unsigned char *)malloc((size_t)want + 1);
    const size_t got = buf ? fread(buf, 1, (size_t)want + 1, f) : 0;
    fclose(f);
    if (!buf || got != want || nn_runner_set_input(m, buf, want) != 0) {
      if (got > want)
        fprintf(stderr, "nnc-host: %s has more than %u bytes; the input is %u bytes\n", input_path, (unsigned)want,
                (unsigned)want);
      else
        fprintf(stderr, "nnc-host: %s has %u bytes; the input is %u bytes\n", input_path, (unsigned)got,
                (unsigned)want);
      free(buf);
      return 66;
    }
    input.data = buf;
  }
  nn_runner_load_input(m, &input);
  if (dump_path) {
    dump_file = fopen(dump_path, "wb");
    if (!dump_file) {
      fprintf(stderr, "nnc-host: cannot write %s: %s\n", dump_path, strerror(errno));
      return 73;
    }
    dump_record(0xFFFFFFFFu, m->input, nn_runner_input_bytes(m));
  }
  nn_runner_print_model(m, put_stdout);
  if (input_path)
    nn_runner_print_input_file(input_path, put_stdout);
  else
    nn_runner_print_input_seed(seed, put_stdout);
  nn_runner_run(m, &input, invocations);
  nn_runner_print_output(m, put_stdout);
  if (dump_file && fclose(dump_file) != 0) {
    fprintf(stderr, "nnc-host: cannot write %s\n", dump_path);
    free(buf);
    return 73;
  }
  free(buf);
  return 0;
}
