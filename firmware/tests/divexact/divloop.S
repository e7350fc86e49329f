/*
 * divloop.S - divides whose operands are computed in the same block as the
 * divide, with values that change on every iteration. Each function times
 * its loop with DWT CYCCNT: A in a block of its own, the loop, B in a block
 * of its own (as firmware/microbench does), and returns B - A.
 *
 *   dx_base(void)           the frame alone: A, branch, branch, B
 *   dx_mul(n, k)            i = 1..n: q = (i * k) / ((i & 255) + 1)
 *   dx_table(n, k, table)   i = 1..n: q = (i * k) / table[i & 15] (the divisor loaded in the block)
 *
 * tests/unit/test_divexact.cpp derives the expected counts from the divide
 * timing rule and the operand values.
 */
    .syntax unified
    .thumb

#define CYCCNT 0xE0001004

    .section .text.dx_base, "ax", %progbits
    .p2align 6
    .global dx_base
    .type dx_base, %function
    .thumb_func
dx_base:
    push {r4-r7, lr}
    ldr r4, =CYCCNT
    b 1f
    .p2align 4
1:  ldr r0, [r4]
    b 2f
    .p2align 4
2:  b 3f
    .p2align 4
3:  ldr r1, [r4]
    subs r0, r1, r0
    pop {r4-r7, pc}
    .ltorg
    .size dx_base, . - dx_base

    .section .text.dx_mul, "ax", %progbits
    .p2align 6
    .global dx_mul
    .type dx_mul, %function
    .thumb_func
dx_mul:
    push {r4-r7, lr}
    ldr r4, =CYCCNT
    mov r7, r0
    mov r6, r1
    movs r5, #0
    b 1f
    .p2align 4
1:  ldr r0, [r4]
    b 2f
    .p2align 4
2:  adds r5, r5, #1
    mul r1, r5, r6
    and r2, r5, #255
    adds r2, r2, #1
    udiv r3, r1, r2
    cmp r5, r7
    bne 2b
    b 3f
    .p2align 4
3:  ldr r1, [r4]
    subs r0, r1, r0
    pop {r4-r7, pc}
    .ltorg
    .size dx_mul, . - dx_mul

    .section .text.dx_table, "ax", %progbits
    .p2align 6
    .global dx_table
    .type dx_table, %function
    .thumb_func
dx_table:
    push {r4-r8, lr}
    ldr r4, =CYCCNT
    mov r7, r0
    mov r6, r1
    mov r8, r2
    movs r5, #0
    b 1f
    .p2align 4
1:  ldr r0, [r4]
    b 2f
    .p2align 4
2:  adds r5, r5, #1
    and r2, r5, #15
    mul r1, r5, r6
    ldr r2, [r8, r2, lsl #2]
    udiv r3, r1, r2
    cmp r5, r7
    bne 2b
    b 3f
    .p2align 4
3:  ldr r1, [r4]
    subs r0, r1, r0
    pop {r4-r8, pc}
    .ltorg
    .size dx_table, . - dx_table
