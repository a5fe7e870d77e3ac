#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the synthetic seed inputs in fuzz/seeds/ (run from anywhere; overwrites them).

The shapes follow the real captures the tests use (../shared/traces/real: Ethernet and
Linux SLL/SLL2 link types, us and ns time stamps, snaplen 96, TSO/GRO frames larger than the
MTU, a truncated tail, a record whose length is absurd, pcapng with several interfaces,
resolutions, offsets and flags), but every byte is made here: no capture is copied.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def out(harness, name, data):
    d = os.path.join(HERE, "seeds", harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def eth(n, src=2, ethertype=0x0800):
    h = bytes([2, 0, 0, 0, 0, 9]) + bytes([2, 0, 0, 0, 0, src]) + struct.pack(">H", ethertype)
    body = bytes((i * 7) & 0xFF for i in range(max(0, n - 14)))
    return (h + body)[:n]


# ---- classic pcap -----------------------------------------------------------------------------

def pcap(recs, ns=False, be=False, snap=65535, lt=1, ver=(2, 4)):
    e = ">" if be else "<"
    magic = 0xA1B23C4D if ns else 0xA1B2C3D4
    b = struct.pack(e + "IHHiIII", magic, ver[0], ver[1], 0, 0, snap, lt)
    for sec, frac, data, orig in recs:
        b += struct.pack(e + "IIII", sec, frac, len(data), orig) + data
    return b


def pcap_seeds():
    t = 1633525866
    out("fuzz_pcap", "le_us_eth.pcap", pcap([(t, 349585, eth(60), 60),
                                              (t, 349600, eth(1514, src=1), 1514),
                                              (t, 351000, eth(42), 42),
                                              (t + 1, 5, eth(128), 1514)], snap=128))
    out("fuzz_pcap", "be_ns_eth.pcap", pcap([(t, 123456789, eth(70), 70),
                                              (t, 123456999, eth(90, src=1), 90)], ns=True,
                                             be=True))
    sll = lambda ptype, n: struct.pack(">HHH", ptype, 1, 6) + bytes(8) + b"\x08\x00" + bytes(n)
    out("fuzz_pcap", "sll.pcap", pcap([(t, 0, sll(0, 50), 66), (t, 10, sll(4, 80), 96)], lt=113))
    sll2 = lambda ptype, n: b"\x08\x00\x00\x00" + struct.pack(">IHB", 2, 1, ptype) + b"\x06" + \
        bytes(8) + bytes(n)
    out("fuzz_pcap", "sll2.pcap", pcap([(t, 0, sll2(4, 60), 80), (t, 20, sll2(0, 60), 80)],
                                        lt=276))
    out("fuzz_pcap", "raw_ipv4.pcap", pcap([(t, 0, bytes(40), 40), (t, 1, bytes(1400), 1400)],
                                            lt=228))
    out("fuzz_pcap", "null_loop.pcap", pcap([(t, 0, b"\x02\0\0\0" + bytes(40), 44)], lt=0))
    out("fuzz_pcap", "fcs.pcap", pcap([(t, 0, eth(64), 64)], lt=0x14000001))
    out("fuzz_pcap", "snaplen96.pcap", pcap([(t, i * 100, eth(96), 1514) for i in range(6)],
                                             snap=96))
    out("fuzz_pcap", "tso_large.pcap", pcap([(t, 0, eth(7306, src=1), 7306)], snap=262144))
    out("fuzz_pcap", "gro_cut.pcap", pcap([(t, 0, eth(256), 64000), (t, 9, eth(256), 30000)],
                                           snap=256))
    full = pcap([(t, 0, eth(60), 60), (t, 10, eth(300), 300), (t, 20, eth(60), 60)])
    out("fuzz_pcap", "truncated_tail.pcap", full[:-150])
    bad = bytearray(pcap([(t, 0, eth(60), 60), (t, 10, eth(60), 60)]))
    struct.pack_into("<I", bad, 24 + 16 + 60 + 8, 0x7FFFFFF0)
    out("fuzz_pcap", "bad_record_length.pcap", bytes(bad))
    out("fuzz_pcap", "out_of_order.pcap", pcap([(t, 500, eth(60), 60), (t, 100, eth(60), 60),
                                                 (t, 900, eth(60), 60)]))
    out("fuzz_pcap", "header_only.pcap", pcap([]))


# ---- pcapng -----------------------------------------------------------------------------------

def block(e, btype, body):
    body += bytes((-len(body)) % 4)
    n = len(body) + 12
    return struct.pack(e + "II", btype, n) + body + struct.pack(e + "I", n)


def opt(e, code, val):
    return struct.pack(e + "HH", code, len(val)) + val + bytes((-len(val)) % 4)


def shb(e):
    return block(e, 0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1) +
                 opt(e, 4, b"seedgen") + opt(e, 0, b""))


def idb(e, lt, snap=0, opts=b""):
    return block(e, 1, struct.pack(e + "HHI", lt, 0, snap) + opts + opt(e, 0, b""))


def epb(e, ifid, ts, data, orig=None, flags=None):
    o = opt(e, 2, struct.pack(e + "I", flags)) + opt(e, 0, b"") if flags is not None else b""
    body = struct.pack(e + "IIIII", ifid, ts >> 32, ts & 0xFFFFFFFF, len(data),
                       len(data) if orig is None else orig)
    return block(e, 6, body + data + bytes((-len(data)) % 4) + o)


def spb(e, data, orig):
    return block(e, 3, struct.pack(e + "I", orig) + data)


def pcapng_seeds():
    t_us = 1633525866349585
    for be in (False, True):
        e = ">" if be else "<"
        b = shb(e) + idb(e, 1, 0, opt(e, 2, b"eth0") + opt(e, 9, b"\x06"))
        b += idb(e, 113, 128, opt(e, 9, b"\x09") + opt(e, 13, b"\x04"))
        b += epb(e, 0, t_us, eth(60), flags=1) + epb(e, 0, t_us + 100, eth(1514, src=1),
                                                      flags=2)
        b += block(e, 5, struct.pack(e + "III", 0, 0, 0))  # interface statistics: skipped
        b += block(e, 4, struct.pack(e + "HH", 1, 8) + bytes(8) + opt(e, 0, b""))  # names
        b += epb(e, 1, t_us * 1000 + 5, struct.pack(">HHH", 4, 1, 6) + bytes(10) + bytes(40))
        b += spb(e, eth(80), 80)
        out("fuzz_pcapng", "two_if_%s.pcapng" % ("be" if be else "le"), b)
    e = "<"
    b = shb(e) + idb(e, 1, 0, opt(e, 9, b"\x94") + opt(e, 14, struct.pack("<q", 1000)))
    b += epb(e, 0, 5 << 20, eth(64)) + epb(e, 0, (6 << 20) + (1 << 19), eth(64))
    out("fuzz_pcapng", "binary_res_offset.pcapng", b)
    b = shb(e) + idb(e, 1) + block(e, 2, struct.pack("<HHIIII", 0, 0, 0, 1000, 60, 60) + eth(60))
    out("fuzz_pcapng", "obsolete_packet_block.pcapng", b)
    b = shb(e) + idb(e, 1) + spb(e, eth(60), 60) + epb(e, 0, t_us, eth(60))
    out("fuzz_pcapng", "spb_first.pcapng", b)
    b = shb(e) + idb(e, 1) + epb(e, 0, t_us, eth(60)) + shb(">") + idb(">", 276) + \
        epb(">", 0, t_us + 5, bytes(20) + bytes(60))
    out("fuzz_pcapng", "two_sections.pcapng", b)
    b = shb(e) + idb(e, 1) + epb(e, 0, t_us, eth(200)) + epb(e, 0, t_us + 1, eth(200))
    out("fuzz_pcapng", "truncated.pcapng", b[:-90])
    out("fuzz_pcapng", "shb_idb_only.pcapng", shb(e) + idb(e, 1))
    b = shb(e) + idb(e, 1, 0, opt(e, 9, b"\x09")) + epb(e, 0, t_us * 1000, eth(7306), flags=2)
    out("fuzz_pcapng", "tso_large.pcapng", b)


# ---- CSV --------------------------------------------------------------------------------------

def csv_seeds():
    out("fuzz_csv", "basic.csv", b"time_ns,length,direction\n0,60,rx\n1000,1514,tx\n"
        b"2000,64,RX\n")
    out("fuzz_csv", "nic_frags.csv", b"# two NICs, fragments\r\ntime_ns,length,direction,nic,"
        b"fragments\r\n0,1514,tx,0,3\r\n\r\n  10 , 60 , 1 , 1 , 0 \r\n20,9000,0,0,1\r\n")
    out("fuzz_csv", "bad_field.csv", b"time_ns,length,direction\n0,100,rx\n10,abc,rx\n")
    out("fuzz_csv", "out_of_order.csv", b"50,60,rx\n10,60,rx\n60,60,tx\n")
    out("fuzz_csv", "big_times.csv", b"0,60,rx\n9223372036854775807,60,rx\n")
    out("fuzz_csv", "header_only.csv", b"time_ns,length,direction\n")


# ---- scenarios (more come from configs/ and tests/data/config/) --------------------------------

def scenario_seeds():
    out("fuzz_scenario", "aliases.yaml", b"x: &hold {dist: constant, mean: 10us}\n"
        b"nics:\n  - trace: {synthetic: {rate: 1kpps, count: 10}}\n    protocol: {hold: *hold}\n"
        b"  - trace: {synthetic: {rate: 1Mbit/s, duration: 1ms, sizes: imix}}\n"
        b"    protocol: {hold: *hold}\n")
    out("fuzz_scenario", "overrides.yaml", b"nics: [{trace: {pcap: t.pcap, loop: 2}}]\n"
        b"#--set\nnics[0].trace.loop_period=1ms\nsystem.cpu.isr=2us\n"
        b"nics[0].protocol.hold={dist: lognormal, mean: 1ms, cv: 2}\nrun.seed=0x10\n")
    out("fuzz_scenario", "synthetic_onoff.yaml", b"nics:\n  - trace:\n      synthetic:\n"
        b"        arrivals: onoff\n        on: 1ms\n        off: 2ms\n        rate: 100kpps\n"
        b"        sizes: {table: [[64, 7], [1518, 1]]}\n        count: 100\n"
        b"      direction: {random: 0.5}\nrun: {duration: 10ms, warmup: 1ms}\n")


if __name__ == "__main__":
    pcap_seeds()
    pcapng_seeds()
    csv_seeds()
    scenario_seeds()
