/* Reads integers from stdin with newlib's scanf (semihosting SYS_READ) until
 * end of input and prints their count and sum. */
#include <stdio.h>

int main(void) {
  long sum = 0;
  int count = 0, value;
  while (scanf("%d", &value) == 1) {
    sum += value;
    ++count;
  }
  printf("read %d numbers, sum %ld\n", count, sum);
  return count == 0 ? 1 : 0;
}
