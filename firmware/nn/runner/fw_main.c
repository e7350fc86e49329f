/*
 * fw_main.c - the firmware main of a model image (model-<name>-<device>.elf):
 * fills the input of the model mcusim-nnc compiled into the image, invokes it
 * and prints the result with nn_runner, the same lines as the host build
 * (nnc-host-<name>, host_main.c) for the same input (docs/tinyml.md).
 *
 * The semihosting command line (`mcusim run IMAGE -- ARGS`) takes, in any
 * order:
 *   seed N          random input from the runner's xorshift32 (default: seed 1)
 *   input FILE      raw input bytes read from FILE (mcusim run --semihost-dir)
 *   invocations N   invoke the model N times (default 1), the input loaded
 *                   before each (nn_runner_run): every invocation computes
 *                   the same output
 * A bad command line or an unreadable input prints one line and exits with 2.
 *
 * Built with NN_MODEL=<name>_model and NN_MODEL_HEADER="<name>.h".
 */
#include <stdint.h>

#include "mcusim.h"
#include "nn_runner.h"
#include NN_MODEL_HEADER

#define FW_CMDLINE_MAX 256

static void put(const char *text) { mcusim_puts(text); }

/* No stdio here (mcusim_puts and semihosting calls only): keeping newlib's
 * out keeps the heap out, so the report shows a model that mallocs nothing. */
void mcusim_init_stdio(void) {}

static void fail(const char *what, const char *detail)
{
    mcusim_puts("fw_main: ");
    mcusim_puts(what);
    mcusim_puts(detail);
    mcusim_puts("\n");
    mcusim_exit(2);
}

/* The next blank-separated word of *p (NUL-terminated in place), or NULL. */
static char *next_word(char **p)
{
    char *s = *p;
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    if (*s == '\0') {
        return 0;
    }
    char *word = s;
    while (*s != '\0' && *s != ' ' && *s != '\t') {
        s++;
    }
    if (*s != '\0') {
        *s++ = '\0';
    }
    *p = s;
    return word;
}

static uint32_t parse_number(const char *word, const char *option)
{
    if (word == 0 || *word == '\0') {
        fail(option, " needs a number");
    }
    uint32_t value = 0;
    for (const char *c = word; *c != '\0'; c++) {
        if (*c < '0' || *c > '9' || value > 429496728u) {
            fail(option, " needs a number");
        }
        value = value * 10u + (uint32_t)(*c - '0');
    }
    return value;
}

static int streq(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

/* Reads FILE (semihosting SYS_OPEN/FLEN/READ) into the model's input. */
static void read_input(const nn_model_t *model, const char *name)
{
    uint32_t name_len = 0;
    while (name[name_len] != '\0') {
        name_len++;
    }
    struct {
        const char *name;
        uint32_t mode;
        uint32_t len;
    } open_block = {name, 1 /* "rb" */, name_len};
    int handle = mcusim_semihost(MCUSIM_SYS_OPEN, &open_block);
    if (handle == -1) {
        fail("cannot open the input file ", name);
    }
    uint32_t handle_block = (uint32_t)handle;
    int length = mcusim_semihost(MCUSIM_SYS_FLEN, &handle_block);
    if (length < 0 || (uint32_t)length != nn_runner_input_bytes(model)) {
        fail("the input file has not the model's input size: ", name);
    }
    struct {
        uint32_t handle;
        void *buffer;
        uint32_t len;
    } read_block = {(uint32_t)handle, model->input, (uint32_t)length};
    if (mcusim_semihost(MCUSIM_SYS_READ, &read_block) != 0) {
        fail("cannot read the input file ", name);
    }
    mcusim_semihost(MCUSIM_SYS_CLOSE, &handle_block);
}

int main(void)
{
    static char cmdline[FW_CMDLINE_MAX];
    mcusim_cmdline(cmdline, sizeof cmdline);

    uint32_t seed = 1;
    uint32_t invocations = 1;
    const char *input_file = 0;
    char *p = cmdline;
    next_word(&p); /* the image's name */
    for (char *word = next_word(&p); word != 0; word = next_word(&p)) {
        if (streq(word, "seed")) {
            seed = parse_number(next_word(&p), "seed");
        } else if (streq(word, "invocations")) {
            invocations = parse_number(next_word(&p), "invocations");
        } else if (streq(word, "input")) {
            input_file = next_word(&p);
            if (input_file == 0) {
                fail("input", " needs a file name");
            }
        } else {
            fail("unknown argument ", word);
        }
    }

    const nn_model_t *model = &NN_MODEL;
    nn_runner_print_model(model, put);
    if (input_file != 0) {
        /* The arena reuses the input's memory once the first operator has
         * read it: the file is read again before every invocation (no copy
         * of the input is kept, so that no RAM beyond the arena is needed). */
        nn_runner_print_input_file(input_file, put);
        for (uint32_t i = 0; i < (invocations > 0 ? invocations : 1); i++) {
            read_input(model, input_file);
            nn_runner_invoke(model, 1);
        }
    } else {
        nn_runner_print_input_seed(seed, put);
        const nn_runner_input input = {0, seed};
        nn_runner_run(model, &input, invocations);
    }
    nn_runner_print_output(model, put);
    return 0;
}
