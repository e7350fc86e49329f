/* String handling: formatting, tokenising and searching text, as in a
 * command-line shell or a log parser. */
#include "workload.h"

int main(void) {
  unsigned reps = workload_reps(20);
  static char text[2048];
  uint32_t sum = 0;
  for (unsigned r = 0; r < reps; r++) {
    size_t pos = 0;
    for (unsigned i = 0; i < 64 && pos < sizeof text - 40; i++)
      pos += (size_t)snprintf(text + pos, sizeof text - pos, "key%u=value%u;", (i * 7 + r) % 97, i * 13);
    char *save = NULL;
    for (char *tok = strtok_r(text, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
      char *eq = strchr(tok, '=');
      if (eq && strncmp(tok, "key1", 4) == 0) sum += (uint32_t)strlen(eq);
      sum += (uint32_t)(unsigned char)tok[3];
    }
    if (strstr("the quick brown fox jumps over the lazy dog", "lazy")) sum++;
  }
  return workload_done("strings", reps, sum);
}
