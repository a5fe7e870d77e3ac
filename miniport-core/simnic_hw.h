/* SPDX-License-Identifier: MIT */
/*
 * simnic_hw.h: SimNIC register block and descriptor layouts, as given by the datasheet
 * (docs/simnic.md).
 *
 * Everything here is a fact about the device: register offsets and bits, the 32-byte
 * receive and transmit descriptors, the ring limits. The descriptors live in shared memory
 * the driver allocated; the device reads and writes them by physical address, little-endian
 * (the host byte order of every machine dmasim simulates). Nothing here is driver policy.
 */
#ifndef SIMNIC_HW_H
#define SIMNIC_HW_H

#include <ndis.h>

/* ---------------------------------------------------------------- register block (BAR 0) */

#define SIMNIC_CSR_LENGTH 256 /* bytes of the memory-mapped register block */

#define SIMNIC_REG_CTRL 0x00
#define SIMNIC_REG_STATUS 0x04
#define SIMNIC_REG_LINK_SPEED 0x08 /* Mbit/s */
#define SIMNIC_REG_ICR 0x10        /* write 1s to clear */
#define SIMNIC_REG_IMR 0x14        /* 1 = cause enabled */
#define SIMNIC_REG_RX_RING_LO 0x20
#define SIMNIC_REG_RX_RING_HI 0x24
#define SIMNIC_REG_RX_RING_SIZE 0x28
#define SIMNIC_REG_RX_TAIL 0x2C /* driver's producer index: the receive doorbell */
#define SIMNIC_REG_RX_HEAD 0x30 /* device's consumer index */
#define SIMNIC_REG_TX_RING_LO 0x40
#define SIMNIC_REG_TX_RING_HI 0x44
#define SIMNIC_REG_TX_RING_SIZE 0x48
#define SIMNIC_REG_TX_TAIL 0x4C /* driver's producer index: the transmit doorbell */
#define SIMNIC_REG_TX_HEAD 0x50
#define SIMNIC_REG_MAC_LO 0x60  /* station address bytes 0..3 */
#define SIMNIC_REG_MAC_HI 0x64  /* bytes 4..5 in bits 0..15 */
#define SIMNIC_REG_RX_FRAMES 0x70 /* frames received into descriptors (wraps) */
#define SIMNIC_REG_RX_DROPS 0x74  /* frames dropped, FIFO full (wraps) */
#define SIMNIC_REG_RX_ERRORS 0x78 /* frames dropped, too large for the buffer (wraps) */

#define SIMNIC_CTRL_RX_EN 0x00000001UL
#define SIMNIC_CTRL_TX_EN 0x00000002UL
#define SIMNIC_CTRL_RESET 0x80000000UL /* self-clearing */

#define SIMNIC_STATUS_LINK_UP 0x00000001UL

/* Interrupt causes (ICR and IMR). */
#define SIMNIC_INT_RX_DONE 0x00000001UL
#define SIMNIC_INT_TX_DONE 0x00000002UL
#define SIMNIC_INT_RX_NO_DESC 0x00000004UL
#define SIMNIC_INT_RX_DROP 0x00000008UL

/* Ring sizes: 1..65536 descriptors; at most size - 1 are owned by the device at once. */
#define SIMNIC_MAX_RING_SIZE 65536UL

/* ---------------------------------------------------------------- descriptors */

typedef struct _SIMNIC_RX_DESC {
    ULONGLONG Address;   /* driver: physical address of the receive buffer */
    ULONG BufferLength;  /* driver: its length in bytes */
    ULONG Status;        /* device: SIMNIC_RXD_*; the driver clears it before posting */
    ULONG FrameLength;   /* device: bytes written, FCS stripped */
    ULONG Reserved;
    ULONGLONG Timestamp; /* device: ns of simulated time when the frame began to arrive */
} SIMNIC_RX_DESC, *PSIMNIC_RX_DESC;

#define SIMNIC_RXD_DD 0x00000001UL  /* descriptor done */
#define SIMNIC_RXD_EOP 0x00000002UL /* end of packet */

typedef struct _SIMNIC_TX_DESC {
    ULONGLONG Address;   /* driver: physical address of one fragment */
    ULONG Length;        /* driver: fragment length in bytes */
    ULONG Flags;         /* SIMNIC_TXD_*: EOP from the driver, DD from the device */
    ULONGLONG Cookie;    /* driver: opaque to the device */
    ULONGLONG Timestamp; /* device: ns when the frame's last bit left on the link */
} SIMNIC_TX_DESC, *PSIMNIC_TX_DESC;

#define SIMNIC_TXD_EOP 0x00000001UL /* last fragment of a frame */
#define SIMNIC_TXD_DD 0x00000002UL  /* done; the driver clears it when filling */

_Static_assert(sizeof(SIMNIC_RX_DESC) == 32, "SimNIC receive descriptors are 32 bytes");
_Static_assert(sizeof(SIMNIC_TX_DESC) == 32, "SimNIC transmit descriptors are 32 bytes");

#endif /* SIMNIC_HW_H */
