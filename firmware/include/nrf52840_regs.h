/*
 * nrf52840_regs.h - the nRF52840 registers the example firmware uses, laid
 * out as the nrfx MDK's NRF_*_Type structures (nRF52840 Product
 * Specification v1.7 register tables), written from the specification:
 * CLOCK/POWER, UARTE, RTC, TIMER and the GPIO ports.
 */
#ifndef NRF52840_REGS_H
#define NRF52840_REGS_H

#include <stdint.h>

#define NRF_IO volatile uint32_t
#define NRF_RSV(n) uint32_t n

/* CLOCK and POWER share ID 0 at 0x40000000. */
typedef struct {
    NRF_IO TASKS_HFCLKSTART;    /* 0x000 */
    NRF_IO TASKS_HFCLKSTOP;     /* 0x004 */
    NRF_IO TASKS_LFCLKSTART;    /* 0x008 */
    NRF_IO TASKS_LFCLKSTOP;     /* 0x00C */
    NRF_IO TASKS_CAL;           /* 0x010 */
    NRF_IO TASKS_CTSTART;       /* 0x014 */
    NRF_IO TASKS_CTSTOP;        /* 0x018 */
    NRF_RSV(r0[57]);
    NRF_IO EVENTS_HFCLKSTARTED; /* 0x100 */
    NRF_IO EVENTS_LFCLKSTARTED; /* 0x104 */
    NRF_RSV(r1);
    NRF_IO EVENTS_DONE;         /* 0x10C */
    NRF_IO EVENTS_CTTO;         /* 0x110 */
    NRF_RSV(r2[5]);
    NRF_IO EVENTS_CTSTARTED;    /* 0x128 */
    NRF_IO EVENTS_CTSTOPPED;    /* 0x12C */
    NRF_RSV(r3[117]);
    NRF_IO INTENSET;            /* 0x304 */
    NRF_IO INTENCLR;            /* 0x308 */
    NRF_RSV(r4[63]);
    NRF_IO HFCLKRUN;            /* 0x408 */
    NRF_IO HFCLKSTAT;           /* 0x40C */
    NRF_RSV(r5);
    NRF_IO LFCLKRUN;            /* 0x414 */
    NRF_IO LFCLKSTAT;           /* 0x418 */
    NRF_IO LFCLKSRCCOPY;        /* 0x41C */
    NRF_RSV(r6[62]);
    NRF_IO LFCLKSRC;            /* 0x518 */
} NRF_CLOCK_Type;

typedef struct {
    NRF_RSV(r0[30]);
    NRF_IO TASKS_CONSTLAT;      /* 0x078 */
    NRF_IO TASKS_LOWPWR;        /* 0x07C */
    NRF_RSV(r1[224]);
    NRF_IO RESETREAS;           /* 0x400 */
    NRF_RSV(r2[63]);
    NRF_IO SYSTEMOFF;           /* 0x500 */
    NRF_RSV(r3[29]);
    NRF_IO DCDCEN;              /* 0x578 */
} NRF_POWER_Type;

typedef struct {
    NRF_IO TASKS_STARTRX;       /* 0x000 */
    NRF_IO TASKS_STOPRX;        /* 0x004 */
    NRF_IO TASKS_STARTTX;       /* 0x008 */
    NRF_IO TASKS_STOPTX;        /* 0x00C */
    NRF_RSV(r0[7]);
    NRF_IO TASKS_FLUSHRX;       /* 0x02C */
    NRF_RSV(r1[52]);
    NRF_IO EVENTS_CTS;          /* 0x100 */
    NRF_IO EVENTS_NCTS;         /* 0x104 */
    NRF_IO EVENTS_RXDRDY;       /* 0x108 */
    NRF_RSV(r2);
    NRF_IO EVENTS_ENDRX;        /* 0x110 */
    NRF_RSV(r3[2]);
    NRF_IO EVENTS_TXDRDY;       /* 0x11C */
    NRF_IO EVENTS_ENDTX;        /* 0x120 */
    NRF_IO EVENTS_ERROR;        /* 0x124 */
    NRF_RSV(r4[7]);
    NRF_IO EVENTS_RXTO;         /* 0x144 */
    NRF_RSV(r5);
    NRF_IO EVENTS_RXSTARTED;    /* 0x14C */
    NRF_IO EVENTS_TXSTARTED;    /* 0x150 */
    NRF_RSV(r6);
    NRF_IO EVENTS_TXSTOPPED;    /* 0x158 */
    NRF_RSV(r7[41]);
    NRF_IO SHORTS;              /* 0x200 */
    NRF_RSV(r8[63]);
    NRF_IO INTEN;               /* 0x300 */
    NRF_IO INTENSET;            /* 0x304 */
    NRF_IO INTENCLR;            /* 0x308 */
    NRF_RSV(r9[93]);
    NRF_IO ERRORSRC;            /* 0x480 */
    NRF_RSV(r10[31]);
    NRF_IO ENABLE;              /* 0x500 */
    NRF_RSV(r11);
    struct {
        NRF_IO RTS;             /* 0x508 */
        NRF_IO TXD;             /* 0x50C */
        NRF_IO CTS;             /* 0x510 */
        NRF_IO RXD;             /* 0x514 */
    } PSEL;
    NRF_RSV(r12[3]);
    NRF_IO BAUDRATE;            /* 0x524 */
    NRF_RSV(r13[3]);
    struct {
        NRF_IO PTR;             /* 0x534 */
        NRF_IO MAXCNT;          /* 0x538 */
        NRF_IO AMOUNT;          /* 0x53C */
    } RXD;
    NRF_RSV(r14);
    struct {
        NRF_IO PTR;             /* 0x544 */
        NRF_IO MAXCNT;          /* 0x548 */
        NRF_IO AMOUNT;          /* 0x54C */
    } TXD;
    NRF_RSV(r15[7]);
    NRF_IO CONFIG;              /* 0x56C */
} NRF_UARTE_Type;

typedef struct {
    NRF_IO TASKS_START;         /* 0x000 */
    NRF_IO TASKS_STOP;          /* 0x004 */
    NRF_IO TASKS_CLEAR;         /* 0x008 */
    NRF_IO TASKS_TRIGOVRFLW;    /* 0x00C */
    NRF_RSV(r0[60]);
    NRF_IO EVENTS_TICK;         /* 0x100 */
    NRF_IO EVENTS_OVRFLW;       /* 0x104 */
    NRF_RSV(r1[14]);
    NRF_IO EVENTS_COMPARE[4];   /* 0x140 */
    NRF_RSV(r2[109]);
    NRF_IO INTENSET;            /* 0x304 */
    NRF_IO INTENCLR;            /* 0x308 */
    NRF_RSV(r3[13]);
    NRF_IO EVTEN;               /* 0x340 */
    NRF_IO EVTENSET;            /* 0x344 */
    NRF_IO EVTENCLR;            /* 0x348 */
    NRF_RSV(r4[110]);
    NRF_IO COUNTER;             /* 0x504 */
    NRF_IO PRESCALER;           /* 0x508 */
    NRF_RSV(r5[13]);
    NRF_IO CC[4];               /* 0x540 */
} NRF_RTC_Type;

typedef struct {
    NRF_IO TASKS_START;         /* 0x000 */
    NRF_IO TASKS_STOP;          /* 0x004 */
    NRF_IO TASKS_COUNT;         /* 0x008 */
    NRF_IO TASKS_CLEAR;         /* 0x00C */
    NRF_IO TASKS_SHUTDOWN;      /* 0x010 */
    NRF_RSV(r0[11]);
    NRF_IO TASKS_CAPTURE[6];    /* 0x040 */
    NRF_RSV(r1[58]);
    NRF_IO EVENTS_COMPARE[6];   /* 0x140 */
    NRF_RSV(r2[42]);
    NRF_IO SHORTS;              /* 0x200 */
    NRF_RSV(r3[64]);
    NRF_IO INTENSET;            /* 0x304 */
    NRF_IO INTENCLR;            /* 0x308 */
    NRF_RSV(r4[126]);
    NRF_IO MODE;                /* 0x504 */
    NRF_IO BITMODE;             /* 0x508 */
    NRF_RSV(r5);
    NRF_IO PRESCALER;           /* 0x510 */
    NRF_RSV(r6[11]);
    NRF_IO CC[6];               /* 0x540 */
} NRF_TIMER_Type;

typedef struct {
    NRF_RSV(r0[321]);
    NRF_IO OUT;                 /* 0x504 */
    NRF_IO OUTSET;              /* 0x508 */
    NRF_IO OUTCLR;              /* 0x50C */
    NRF_IO IN;                  /* 0x510 */
    NRF_IO DIR;                 /* 0x514 */
    NRF_IO DIRSET;              /* 0x518 */
    NRF_IO DIRCLR;              /* 0x51C */
    NRF_IO LATCH;               /* 0x520 */
    NRF_IO DETECTMODE;          /* 0x524 */
    NRF_RSV(r1[118]);
    NRF_IO PIN_CNF[32];         /* 0x700 */
} NRF_GPIO_Type;

#define NRF_CLOCK  ((NRF_CLOCK_Type *)0x40000000u)
#define NRF_POWER  ((NRF_POWER_Type *)0x40000000u)
#define NRF_UARTE0 ((NRF_UARTE_Type *)0x40002000u)
#define NRF_TIMER0 ((NRF_TIMER_Type *)0x40008000u)
#define NRF_RTC0   ((NRF_RTC_Type *)0x4000B000u)
#define NRF_P0     ((NRF_GPIO_Type *)0x50000000u)
#define NRF_P1     ((NRF_GPIO_Type *)0x50000300u)

/* Interrupt numbers = peripheral IDs. */
#define POWER_CLOCK_IRQn 0
#define UARTE0_UART0_IRQn 2
#define TIMER0_IRQn 8
#define RTC0_IRQn 11

#define CLOCK_LFCLKSRC_SRC_RC    0u
#define CLOCK_LFCLKSRC_SRC_Xtal  1u
#define CLOCK_HFCLKSTAT_SRC_Xtal 1u
#define CLOCK_HFCLKSTAT_STATE_Running (1u << 16)
#define UARTE_ENABLE_ENABLE_Enabled 8u
#define UARTE_BAUDRATE_Baud115200 0x01D60000u
#define UARTE_INTEN_ENDTX (1u << 8)
#define RTC_INTEN_COMPARE0 (1u << 16)
#define RTC_EVTEN_COMPARE0 (1u << 16)
#define TIMER_INTEN_COMPARE0 (1u << 16)
#define TIMER_SHORTS_COMPARE0_CLEAR (1u << 0)
#define TIMER_MODE_Timer 0u
#define TIMER_BITMODE_32Bit 3u
#define GPIO_PIN_CNF_DIR_Output 1u
#define GPIO_PIN_CNF_INPUT_Disconnect (1u << 1)
#define POWER_SYSTEMOFF_Enter 1u

#endif /* NRF52840_REGS_H */
