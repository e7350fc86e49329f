/*
 * ee_protocol.c - the runner protocol's command parser (ee_protocol.h).
 * Plain C, no C library: the firmware links no stdio.
 */
#include "ee_protocol.h"
#include "th_api.h"

/* The db buffer: at most the model's input (th_max_db_bytes()). */
#define EE_DB_MAX 4096u
static uint8_t db_buffer[EE_DB_MAX];
static size_t db_expected; /* N of the last `db load N` */
static size_t db_loaded;   /* bytes received since */

static char command[EE_CMD_SIZE + 1];
static size_t command_length;

static int ready; /* the parser runs only once initialisation is done */

static int streq(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

/* The next blank-separated word of *p (NUL-terminated in place), or NULL. */
static char *next_word(char **p)
{
    char *s = *p;
    while (*s == ' ') {
        s++;
    }
    if (*s == '\0') {
        return 0;
    }
    char *word = s;
    while (*s != '\0' && *s != ' ') {
        s++;
    }
    if (*s != '\0') {
        *s++ = '\0';
    }
    *p = s;
    return word;
}

/* A decimal number, or -1 when `word` is not one. */
static long parse_decimal(const char *word)
{
    long value = 0;
    if (*word == '\0') {
        return -1;
    }
    for (; *word != '\0'; word++) {
        if (*word < '0' || *word > '9' || value > 100000000L) {
            return -1;
        }
        value = value * 10 + (*word - '0');
    }
    return value;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

size_t ee_get_buffer(uint8_t *buffer, size_t max_len)
{
    size_t n = db_loaded < max_len ? db_loaded : max_len;
    for (size_t i = 0; i < n; i++) {
        buffer[i] = db_buffer[i];
    }
    return n;
}

static void db_command(char **rest)
{
    char *sub = next_word(rest);
    if (sub == 0) {
        th_printf("e-[Command 'db' requires a subcommand]\r\n");
    } else if (streq(sub, "load")) {
        char *count = next_word(rest);
        long n = count ? parse_decimal(count) : -1;
        size_t max = th_max_db_bytes() < EE_DB_MAX ? th_max_db_bytes() : EE_DB_MAX;
        if (n <= 0) {
            th_printf("e-[Command 'db load' needs a number of bytes > 0]\r\n");
        } else if ((size_t)n > max) {
            th_printf("e-[Supplied buffer size %lu exceeds maximum of %lu]\r\n", (unsigned long)n, (unsigned long)max);
        } else {
            db_expected = (size_t)n;
            db_loaded = 0;
            th_printf("m-[Expecting %lu bytes]\r\n", (unsigned long)n);
        }
    } else if (streq(sub, "print")) {
        for (size_t i = 0; i < db_loaded; i++) {
            if (i % 8 == 0) th_printf("m-buffer-");
            th_printf("%02x", db_buffer[i]);
            th_printf((i + 1) % 8 == 0 || i + 1 == db_loaded ? "\r\n" : "-");
        }
    } else {
        size_t digits = 0;
        while (sub[digits] != '\0') digits++;
        if (digits % 2 != 0) {
            th_printf("e-[Odd number of hex digits]\r\n");
            return;
        }
        for (size_t i = 0; i < digits; i += 2) {
            int hi = hex_digit(sub[i]), lo = hex_digit(sub[i + 1]);
            if (hi < 0 || lo < 0) {
                th_printf("e-[Invalid hex digit '%c%c']\r\n", sub[i], sub[i + 1]);
                return;
            }
            if (db_loaded >= db_expected) {
                break; /* more digits than announced: the rest is ignored */
            }
            db_buffer[db_loaded++] = (uint8_t)(hi * 16 + lo);
            if (db_loaded == db_expected) {
                th_printf("m-load-done\r\n");
                return;
            }
        }
    }
}

static void infer(unsigned long n, unsigned long warmups)
{
    th_load_tensor();
    th_printf("m-warmup-start-%lu\r\n", warmups);
    while (warmups-- > 0) {
        th_infer();
    }
    th_printf("m-warmup-done\r\n");
    th_printf("m-infer-start-%lu\r\n", n);
    th_timestamp();
    th_pre();
    while (n-- > 0) {
        th_infer();
    }
    th_post();
    th_timestamp();
    th_printf("m-infer-done\r\n");
    th_results();
}

static void infer_command(char **rest)
{
    long n = 1, w = 10;
    char *word = next_word(rest);
    if (word) {
        n = parse_decimal(word);
        if (n <= 0) {
            th_printf("e-[Inference iterations must be >0]\r\n");
            return;
        }
        word = next_word(rest);
        if (word) {
            w = parse_decimal(word);
            if (w < 0) {
                th_printf("e-[Inference warmup must be >=0]\r\n");
                return;
            }
        }
    }
    if (db_loaded != th_max_db_bytes()) {
        th_printf("e-[Input db has %lu bytes, expected %lu]\r\n", (unsigned long)db_loaded,
                  (unsigned long)th_max_db_bytes());
        return;
    }
    infer((unsigned long)n, (unsigned long)w);
}

static void help(void)
{
    th_printf("%s\r\n\r\n", EE_FW_VERSION);
    th_printf("help         : Print this information\r\n");
    th_printf("name         : Print the name of the device\r\n");
    th_printf("timestamp    : Generate a timestamp\r\n");
    th_printf("db load N    : Allocate N bytes and set load counter\r\n");
    th_printf("db HH[HH]*   : Load 8-bit hex byte(s) until N bytes\r\n");
    th_printf("db print     : Print the loaded bytes as hex\r\n");
    th_printf("infer N [W]  : Load input, execute N inferences after W warmup loops\r\n");
    th_printf("results      : Return the result fp32 vector\r\n");
}

static void run_command(char *line)
{
    char *rest = line;
    char *word = next_word(&rest);
    if (word == 0) {
        th_printf("e-[Unknown command: ]\r\n");
    } else if (streq(word, "name")) {
        th_printf("m-name-dut-[%s]\r\n", TH_VENDOR_NAME_STRING);
    } else if (streq(word, "timestamp")) {
        th_timestamp();
    } else if (streq(word, "profile")) {
        th_printf("m-profile-[%s]\r\n", EE_FW_VERSION);
        th_printf("m-model-[%s]\r\n", TH_MODEL_VERSION);
    } else if (streq(word, "help")) {
        help();
    } else if (streq(word, "db")) {
        db_command(&rest);
    } else if (streq(word, "infer")) {
        infer_command(&rest);
    } else if (streq(word, "results")) {
        th_results();
    } else {
        th_printf("e-[Unknown command: %s]\r\n", word);
    }
    th_printf("m-ready\r\n");
}

void ee_serial_callback(char c)
{
    if (c == EE_CMD_TERMINATOR) {
        command[command_length] = '\0';
        command_length = 0;
        if (ready) {
            run_command(command);
        }
    } else if (c == '\r' || c == '\n') {
        /* line ends between commands are not part of them */
    } else if (command_length < EE_CMD_SIZE) {
        command[command_length++] = c;
    }
}

void ee_benchmark_initialize(void)
{
    th_serialport_initialize();
    th_timestamp_initialize();
    th_final_initialize();
    th_printf("m-init-done\r\n");
    ready = 1;
    th_printf("m-ready\r\n");
}
