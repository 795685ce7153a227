#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The benchmark's report: reads what the VM parts printed and the parser's
JSON, prints the tables (Markdown, as README.md shows them), writes them as
JSON and plots the teardown delays.

Usage: report.py DIR
  DIR holds cost-KERNEL.txt (bench/cost.sh, instruction-counting VM),
  latency-KERNEL.txt (bench/latency.sh, wall-clock VM) and parse.json
  (bench/host-parse.sh); writes DIR/results.json and DIR/teardown.png (with
  gnuplot, if installed).

Costs: the cost VM runs one CPU whose clock counts instructions (qemu
-icount shift=0: one instruction a nanosecond), so 1e9 / (packets/s) is the
instructions a packet costs, sender and receiver together; an overhead is
the difference against "none" measured in the same round. Spreads are the
lowest and highest of the rounds; delays give median and p99 of all runs.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

KINDS = ["udp4", "ip4", "udp6", "ip6", "plain", "sccrq"]
KIND_TEXT = {
    "udp4": "L2TPv3 over UDP/IPv4 (pseudowire)",
    "ip4": "L2TPv3 over IPv4 (pseudowire)",
    "udp6": "L2TPv3 over UDP/IPv6 (pseudowire)",
    "ip6": "L2TPv3 over IPv6 (pseudowire)",
    "plain": "UDP that is not L2TP",
    "sccrq": "SCCRQ to UDP/1701, no tunnel",
}
MODES = ["baseline", "single-shot", "ipsec", "ipdown"]
MODE_TEXT = {
    "baseline": "tunnel delete -> tunnel gone (floor)",
    "single-shot": "single-shot: session delete -> tunnel gone",
    "ipsec": "single-shot IPsec: session delete -> SAs expired",
    "ipdown": "without l2tpss, ip-down script: session delete -> SAs deleted",
}


def median(v):
    v = sorted(v)
    n = len(v)
    return (v[(n - 1) // 2] + v[n // 2]) / 2 if n else None


def p99(v):
    """Nearest rank."""
    v = sorted(v)
    return v[max(0, -(-99 * len(v) // 100) - 1)] if v else None


def spread(v):
    return [min(v), max(v)] if v else None


def lines(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^@ (\S+) ?(.*)$", line.rstrip("\n"))
            if m:
                yield m.group(1), m.group(2).split()


def cost(path):
    info, rates, res = {}, {}, {}
    for key, f in lines(path):
        if key == "rate":
            config, kind, rnd, pps = f[0], f[1], int(f[2]), float(f[3])
            rates.setdefault((config, kind), {}).setdefault(rnd, []).append(pps)
        elif key in ("kernel", "packets", "rounds", "records", "cpu"):
            info[key] = " ".join(f)
        elif key == "tunnels":
            info["tunnels"], info["create_s"] = int(f[0]), float(f[1])
        elif key == "slab-freed":
            info["slab_freed_kb"], info["slab_records"] = int(f[0]), int(f[1])
        elif key == "slabinfo":
            info.setdefault("slabinfo", []).append(
                {"cache": f[0], "objects": int(f[1]), "size": int(f[2])})
    # Per round: the median of the round's measures (forward, backward).
    per_round = {k: {r: median(v) for r, v in rr.items()}
                 for k, rr in rates.items()}
    res["info"] = info
    res["ns_per_packet"] = {}
    res["overhead"] = {}
    for (config, kind), rr in sorted(per_round.items()):
        ns = [1e9 / p for p in rr.values()]
        res["ns_per_packet"].setdefault(config, {})[kind] = {
            "median": median(ns), "spread": spread(ns)}
        base = "none-big" if config.endswith("-big") else "none"
        if config == base or (base, kind) not in per_round:
            continue
        b = per_round[(base, kind)]
        over = [1e9 / rr[r] - 1e9 / b[r] for r in rr if r in b]
        ratio = [rr[r] / b[r] for r in rr if r in b]
        res["overhead"].setdefault(config, {})[kind] = {
            "instructions": median(over), "spread": spread(over),
            "rate_ratio": median(ratio), "ratio_spread": spread(ratio)}
    if "slab_freed_kb" in info and info["slab_records"]:
        res["bytes_per_record"] = (info["slab_freed_kb"] * 1024 /
                                   info["slab_records"])
    return res


def latency(path):
    samples = {}
    info = {}
    for key, f in lines(path):
        if key == "delay":
            samples.setdefault(f[0], []).append(float(f[1]))
        elif key in ("kernel", "runs", "records"):
            info[key] = " ".join(f)
        elif key == "dump":
            d = info.setdefault("dump", {}).setdefault(f[0], [])
            d.append({"s": float(f[2]), "bytes": int(f[3]),
                      "tunnels": int(f[4]) if len(f) > 4 else None})
    res = {"info": info, "samples": samples, "modes": {}}
    for mode, v in samples.items():
        res["modes"][mode] = {"median": median(v), "p99": p99(v),
                              "min": min(v), "max": max(v), "runs": len(v)}
    m = res["modes"]
    if "ipsec" in m and "ipdown" in m:
        res["ipsec_vs_ipdown"] = {
            "median": m["ipsec"]["median"] / m["ipdown"]["median"],
            "p99": m["ipsec"]["p99"] / m["ipdown"]["p99"]}
    return res


def fmt(v, f="%.0f"):
    return "-" if v is None else f % v


def show_cost(k, c):
    i = c["info"]
    print(f"\n### Per-packet cost, {i.get('kernel', k)}\n")
    print(f"Instructions per packet, sender and receiver together (qemu "
          f"-icount, one CPU; {i.get('packets')} packets a measure, "
          f"{i.get('rounds')} rounds, each configuration measured twice a "
          "round); overhead against no filter in the same round (for the many "
          "tunnels: no filter with as many l2tp_core tunnels), median "
          "[lowest, highest round], and (the rate's ratio to no filter's).\n")
    configs = [("l2tpss", "l2tpss, 10 tunnels"),
               ("nft", "nftables rules instead"),
               ("nft-empty", "empty nftables chains"),
               ("p1024", "l2tpss, 1,024 profiles"),
               ("l2tpss-big", f"l2tpss, {i.get('tunnels', '?')} tunnels")]
    print("| traffic | no filter | " +
          " | ".join(t for _, t in configs) + " |")
    print("|---|---:|" + "---:|" * len(configs))
    for kind in KINDS:
        none = c["ns_per_packet"].get("none", {}).get(kind)
        if not none:
            continue
        row = [KIND_TEXT[kind], fmt(none["median"])]
        for config, _ in configs:
            o = c["overhead"].get(config, {}).get(kind)
            row.append("-" if not o else "+%.0f [%.0f, %.0f] (%.3f)" % (
                o["instructions"], *o["spread"], o["rate_ratio"]))
        print("| " + " | ".join(row) + " |")
    if "bytes_per_record" in c:
        print(f"\nMemory: {c['bytes_per_record']:.0f} bytes a tunnel record "
              f"(the slab unloading frees, {i['slab_freed_kb']} kB, over "
              f"{i['slab_records']} records)", end="")
        for s in i.get("slabinfo", []):
            print(f"; {s['cache']}: {s['objects']} objects of {s['size']} B",
                  end="")
        print(".")
    if "create_s" in i:
        print(f"Creating the {i.get('tunnels')} tunnels with ip -batch, "
              f"module loaded: {i['create_s']:.1f} s of instructions.")


def show_latency(k, lat):
    i = lat["info"]
    print(f"\n### Teardown delays, {i.get('kernel', k)}\n")
    print(f"Wall clock in a two-CPU emulated VM, {i.get('runs')} runs a "
          "mode, taken in turn in chunks of 10.\n")
    print("| from -> to | median ms | p99 ms | min..max ms |")
    print("|---|---:|---:|---:|")
    for mode in MODES:
        m = lat["modes"].get(mode)
        if m:
            print(f"| {MODE_TEXT[mode]} | {m['median']:.2f} | "
                  f"{m['p99']:.2f} | {m['min']:.2f}..{m['max']:.2f} |")
    r = lat.get("ipsec_vs_ipdown")
    if r:
        print(f"\nl2tpss IPsec teardown / ip-down script: median "
              f"{r['median']:.2f}, p99 {r['p99']:.2f}.")
    d = i.get("dump", {})
    if d:
        ctl = [x["s"] for x in d.get("l2tpss-ctl", [])]
        ipl = d.get("ip-l2tp", [{}])[0]
        print(f"\nFull dump of {i.get('records')} tracked tunnels (wall "
              f"clock): `l2tpss-ctl show -j` median {median(ctl):.1f} s "
              f"[{min(ctl):.1f}, {max(ctl):.1f}] over {len(ctl)} runs; "
              f"`ip l2tp show tunnel` {ipl.get('s', 0):.1f} s, "
              f"{ipl.get('tunnels')} tunnels listed (fewer: stopped at its "
              "time limit).")


def show_parse(p):
    print("\n### Parser\n")
    print(f"Instructions a call (callgrind, {p['compiler']}, the module's "
          "code generation flags):\n")
    print("| header | instructions |")
    print("|---|---:|")
    for k in p["kinds"]:
        if k["class"] == "data" or k["kind"] in ("v2_sccrq", "v2_zlb",
                                                  "v3_udp_ctrl", "v3_ip_ctrl"):
            print(f"| {k['kind']} | {k['instructions_per_packet']} |")


def plot(out, lats):
    gp = shutil.which("gnuplot")
    if not gp or not lats:
        print("\n(no gnuplot: no plot)" if not gp else "", file=sys.stderr)
        return None
    png = os.path.join(out, "teardown.png")
    with tempfile.TemporaryDirectory() as tmp:
        script = [
            "set terminal pngcairo size 1100,%d font 'sans,10'" %
            (440 * len(lats)),
            f"set output '{png}'",
            f"set multiplot layout {len(lats)},1",
            "set logscale x", "set xlabel 'delay (ms, log scale)'",
            "set ylabel 'share of runs'", "set yrange [0:1]",
            "set key below", "set grid",
        ]
        for k, lat in lats.items():
            plots = []
            for mode in MODES:
                v = sorted(lat["samples"].get(mode, []))
                if not v:
                    continue
                dat = os.path.join(tmp, f"{k}-{mode}.dat")
                with open(dat, "w", encoding="utf-8") as f:
                    for n, x in enumerate(v, 1):
                        f.write(f"{x} {n / len(v)}\n")
                plots.append(f"'{dat}' with steps lw 2 title "
                             f"'{MODE_TEXT[mode]}'")
            script.append("set title 'Teardown delays, %s (%s runs a mode)'"
                          % (lat["info"].get("kernel", k),
                             lat["info"].get("runs")))
            script.append("plot " + ", ".join(plots))
        script.append("unset multiplot")
        subprocess.run([gp], input="\n".join(script), text=True, check=True)
    return png


def kernel_key(path, part):
    return os.path.basename(path)[len(part) + 1:-len(".txt")]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    res = {"costs": {}, "delays": {}}
    for path in sorted(glob.glob(os.path.join(out, "cost-*.txt"))):
        res["costs"][kernel_key(path, "cost")] = cost(path)
    for path in sorted(glob.glob(os.path.join(out, "latency-*.txt"))):
        res["delays"][kernel_key(path, "latency")] = latency(path)
    pj = os.path.join(out, "parse.json")
    if os.path.exists(pj):
        with open(pj, encoding="utf-8") as f:
            res["parse"] = json.load(f)
    for k, c in res["costs"].items():
        show_cost(k, c)
    for k, lat in res["delays"].items():
        show_latency(k, lat)
    if "parse" in res:
        show_parse(res["parse"])
    res["plot"] = plot(out, res["delays"])
    with open(os.path.join(out, "results.json"), "w", encoding="utf-8") as f:
        json.dump(res, f, indent=1, sort_keys=True)
    print(f"\nwrote {os.path.join(out, 'results.json')}" +
          (f" and {res['plot']}" if res["plot"] else ""))


if __name__ == "__main__":
    main()
