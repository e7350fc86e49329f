/* A minimal Cortex-M image with debug info: vector table, reset handler, one function. */
extern unsigned _estack;
static volatile unsigned counter;
static unsigned add(unsigned a, unsigned b) { return a + b; }
void reset(void) {
  for (;;) counter = add(counter, 1);
}
__attribute__((section(".isr_vector"), used)) const void *vectors[2] = {(void *)0x20001000, (void *)reset};
