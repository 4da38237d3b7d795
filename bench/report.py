#!/usr/bin/env python3
"""report.py - turns bench.sh's raw JSON lines into the results table.

  report.py RAW.jsonl OUT.json     print the table, save medians + machine
  report.py --compare DIR          compare the newest result in DIR with the
                                   one before it; list what got slower
Medians over the runs; the floors are measured in the same run on the same
file, and every stage is shown as a ratio to its floor, because on these
shared 2-core machines ratios are more stable than absolute times.
"""
import json, os, statistics, sys

FLOOR = {"tokenize": "read", "parse": "tokenize", "dip": "parse", "drg": "parse", "simulate-items": "read-fees"}


def load_raw(path):
    machine, rows = {}, []
    for line in open(path):
        line = line.strip()
        if not line:
            continue
        d = json.loads(line)
        if "machine" in d:
            machine = d["machine"]
        else:
            rows.append(d)
    return machine, rows


def medians(rows):
    groups = {}
    for r in rows:
        groups.setdefault((r["size"], r["label"], r["threads"]), []).append(r)
    out = {}
    for k, rs in groups.items():
        m = {}
        for key in rs[0]:
            if key in ("size", "label", "threads"):
                continue
            vals = [r[key] for r in rs if isinstance(r.get(key), (int, float))]
            if vals:
                m[key] = statistics.median(vals)
        m["runs"] = len(rs)
        out[k] = m
    return out


def table(med):
    lines = []
    sizes = sorted({k[0] for k in med})
    threads = sorted({k[2] for k in med})
    hdr = f"{'size':>9} {'stage':<16} {'thr':>3} {'median s':>9} {'cases/s':>12} {'MB/s':>8} {'x floor':>8} {'scaling':>8} {'RSS B/case':>10} {'out B/case':>10}"
    lines.append(hdr)
    lines.append("-" * len(hdr))
    order = ["read", "tokenize", "parse", "dip", "drg", "flags", "settle-none", "write-none", "settle-deflate", "write-deflate",
             "settle-nosup", "write-nosup", "settle-zlib", "write-zlib", "report", "simulate-1", "simulate-8",
             "read-fees", "simulate-items"]
    for n in sizes:
        for label in order:
            for t in threads:
                m = med.get((n, label, t))
                if not m:
                    continue
                secs = m["seconds"]
                floor, ratio = None, ""
                if label in FLOOR:
                    floor = med.get((n, FLOOR[label], t))
                elif label.startswith("settle-"):
                    # end to end vs parse floor + write floor of the same bytes
                    tok = med.get((n, "tokenize", t))
                    wr = med.get((n, "write-" + label.split("-")[1], t))
                    if tok and wr:
                        ratio = f"{secs / (tok['seconds'] + wr['seconds']):.2f}"
                elif label in ("simulate-1", "simulate-8"):
                    # x settle like for like (simulate does not supervise): the aim is simulate-8 <= 2x
                    st = med.get((n, "settle-nosup", t)) or med.get((n, "settle-deflate", t))
                    if st:
                        ratio = f"{secs / st['seconds']:.2f}"
                if floor:
                    ratio = f"{secs / floor['seconds']:.2f}"
                one = med.get((n, label, 1))
                scaling = f"{one['seconds'] / secs:.2f}" if one and t != 1 else ""
                mbps = m.get("in_bytes", 0) / secs / 1e6 if m.get("in_bytes") else 0
                rss = m.get("peak_rss_kb", 0) * 1024 / n if label.startswith("settle") else 0
                ob = m.get("out_bytes", 0) / n if m.get("out_bytes") else 0
                lines.append(f"{n:>9} {label:<16} {t:>3} {secs:>9.3f} {n / secs:>12,.0f} {mbps:>8.0f} {ratio:>8} {scaling:>8} "
                             f"{rss:>10.0f} {ob:>10.1f}")
        # grouping alone
        for g in ("dip", "drg"):
            for t in threads:
                a, b = med.get((n, g, t)), med.get((n, "parse", t))
                if a and b and a["seconds"] > b["seconds"]:
                    alone = a["seconds"] - b["seconds"]
                    lines.append(f"{n:>9} {g + ' alone':<16} {t:>3} {alone:>9.3f} {n / alone:>12,.0f}   "
                                 f"({n / alone / t:,.0f} cases/s per core; stage minus parse)")
        s = med.get((n, "settle-none", max(threads)))
        if s:
            lines.append(f"{n:>9} settle-none stages at {max(threads)} threads: load {s.get('load', 0):.2f}s, "
                         f"read+group {s.get('read_group', s.get('read_group_score', 0)):.2f}s, "
                         f"checks+score {s.get('checks', 0):.2f}s, "
                         f"pay {s.get('pay', 0):.2f}s, write {s.get('write', 0):.2f}s")
    return "\n".join(lines)


def rss_beyond_tables(med, n, t):
    """Peak RSS of settle-none per case, less the tables: the tables' RSS is
    the dip stage's peak minus the parse stage's (same file, same slots)."""
    s, d, p = med.get((n, "settle-none", t)), med.get((n, "dip", t)), med.get((n, "parse", t))
    if not s:
        return None
    tables = max(0, d["peak_rss_kb"] - p["peak_rss_kb"]) if d and p else 0
    return (s["peak_rss_kb"] - tables) * 1024 / n


def targets(med):
    """The issue's targets, checked on this run's medians: one line each."""
    out = []
    sizes = sorted({k[0] for k in med})
    if not sizes:
        return out
    big = max(sizes)
    tmax = max(k[2] for k in med)

    def line(ok, text):
        out.append(("  met      " if ok else "  NOT MET  ") + text)

    s = med.get((big, "settle-none", tmax))
    tok, wr = med.get((big, "tokenize", tmax)), med.get((big, "write-none", tmax))
    if s:
        line(s["seconds"] <= 3.0, f"end-to-end DIP settlement, {big:,} cases, {tmax} threads, uncompressed: "
                                  f"{s['seconds']:.2f} s (target <= 3 s)")
        if tok and wr:
            fl = tok["seconds"] + wr["seconds"]
            line(s["seconds"] <= 1.5 * fl, f"  ... {s['seconds'] / fl:.2f}x its floor (tokenize {tok['seconds']:.2f} s + "
                                           f"write {wr['seconds']:.2f} s) (target <= 1.5x)")
    for g, want in (("dip", 2e6), ("drg", 1e6)):
        a, b = med.get((big, g, 1)), med.get((big, "parse", 1))
        if a and b and a["seconds"] > b["seconds"]:
            rate = big / (a["seconds"] - b["seconds"])
            line(rate >= want, f"{g.upper()} grouping alone, 1 thread: {rate / 1e6:.2f}M cases/s per core "
                               f"(target >= {want / 1e6:.0f}M)")
    for st in ("parse", "dip", "drg", "settle-none"):
        one, two = med.get((big, st, 1)), med.get((big, st, tmax))
        if one and two and tmax > 1:
            sc = one["seconds"] / two["seconds"]
            if st == "settle-none":  # not CPU-bound throughout (write, merges): shown, not judged
                out.append(f"  report   scaling 1 -> {tmax} threads, {st} (end to end): {sc:.2f}x")
            else:
                line(sc >= 1.8, f"scaling 1 -> {tmax} threads, {st} (CPU-bound): {sc:.2f}x (target >= 1.8x)")
    for n in sizes:
        r = rss_beyond_tables(med, n, tmax)
        if r is None:
            continue
        if n == big:
            line(r <= 100, f"peak RSS beyond the tables, {n:,} cases: {r:.0f} B/case (target <= 100)")
        else:  # fixed costs (libraries, the 64 MiB input window) weigh on small runs
            out.append(f"  report   peak RSS beyond the tables, {n:,} cases: {r:.0f} B/case")
    for n in sizes:  # casemix report: under 1 s and 2 MB at 1M cases
        r = med.get((n, "report", 1))
        if r and n <= 1000000:
            line(r["seconds"] < 1.0 and r["out_bytes"] < 2e6, f"HTML report of {n:,} cases: {r['seconds']:.2f} s, "
                                                               f"{r['out_bytes'] / 1e6:.2f} MB (target < 1 s, < 2 MB)")
        elif r:
            out.append(f"  report   HTML report of {n:,} cases: {r['seconds']:.2f} s, {r['out_bytes'] / 1e6:.2f} MB")
    for n in sizes:  # issue 12: simulate with 8 category scenarios at most 2x one settlement (like for like)
        s8, s1 = med.get((n, "simulate-8", tmax)), med.get((n, "simulate-1", tmax))
        st, sd = med.get((n, "settle-nosup", tmax)), med.get((n, "settle-deflate", tmax))
        if s8 and st:
            per = f"; {(s8['seconds'] - s1['seconds']) / 7:.3f} s a further scenario" if s1 else ""
            line(s8["seconds"] <= 2 * st["seconds"],
                 f"simulate, 8 category scenarios, {n:,} cases, {tmax} threads: {s8['seconds']:.2f} s = "
                 f"{s8['seconds'] / st['seconds']:.2f}x settle without supervision ({st['seconds']:.2f} s)"
                 + (f", {s8['seconds'] / sd['seconds']:.2f}x the default settle" if sd else "") + per + " (aim <= 2x)")
        it, rf = med.get((n, "simulate-items", tmax)), med.get((n, "read-fees", tmax))
        if it and it.get("items"):
            out.append(f"  report   item-level re-pricing, {n:,} cases, {int(it['items']):,} fee lines: {it['seconds']:.2f} s = "
                       f"{it['items'] / it['seconds']:,.0f} lines/s" +
                       (f"; the fee file read alone {rf['seconds']:.2f} s ({it['seconds'] / rf['seconds']:.1f}x that floor)"
                        if rf else ""))
    # supervision (issue 11): settle with it (settle-deflate) against without (settle-nosup), the same
    # output settings, run interleaved; aim +15% wall and +16 B a case of peak RSS at most
    for n in sizes:
        for t in sorted({k[2] for k in med}):
            d, u, f = med.get((n, "settle-deflate", t)), med.get((n, "settle-nosup", t)), med.get((n, "flags", t))
            if not d or not u:
                continue
            wd, wu = d.get("wall_seconds", d["seconds"]), u.get("wall_seconds", u["seconds"])
            wall = wd / wu - 1 if wu > 0 else 0
            cd, cu = d.get("cpu_seconds"), u.get("cpu_seconds")
            cpu = f", CPU {cd:.2f} vs {cu:.2f} s ({cd / cu - 1:+.0%})" if cd and cu else ""
            rss = (d["peak_rss_kb"] - u["peak_rss_kb"]) * 1024 / n
            fl = f"; bench --stage flags {f['seconds']:.2f} s" if f else ""
            text = (f"supervision, {n:,} cases, {t} thread(s): settle {wd:.2f} s vs {wu:.2f} s without ({wall:+.0%} wall, "
                    f"target <= +15%){cpu}; peak RSS {rss:+.1f} B/case (target <= 16){fl}")
            if n == big:
                line(wall <= 0.15 and rss <= 16, text)
            else:
                out.append("  report   " + text)
    dz, zz = med.get((big, "settle-deflate", tmax)), med.get((big, "settle-zlib", tmax))
    if dz and zz:
        out.append(f"  report   compressed output, {big:,} cases, {tmax} threads: libdeflate {dz['seconds']:.2f} s, "
                   f"{dz['out_bytes'] / big:.1f} B/case; zlib {zz['seconds']:.2f} s, {zz['out_bytes'] / big:.1f} B/case")
    return out


def main():
    if sys.argv[1] == "--compare":
        d = sys.argv[2]
        files = sorted(f for f in os.listdir(d) if f.endswith(".json"))
        if len(files) < 2:
            print("bench-compare: need two results in", d)
            return 0
        a, b = (json.load(open(os.path.join(d, f))) for f in files[-2:])
        print(f"comparing {files[-1]} (new) with {files[-2]} (old)")
        ma = {(r["size"], r["label"], r["threads"]): r for r in a["results"]}
        slower = 0
        for r in b["results"]:
            k = (r["size"], r["label"], r["threads"])
            if k in ma and ma[k]["seconds"] > 0:
                ch = r["seconds"] / ma[k]["seconds"] - 1
                flag = "SLOWER" if ch > 0.10 else ("faster" if ch < -0.10 else "")
                slower += ch > 0.10
                print(f"  {k[0]:>9} {k[1]:<16} {k[2]} thr  {ma[k]['seconds']:8.3f}s -> {r['seconds']:8.3f}s  {ch:+6.1%} {flag}")
        print(f"{slower} stage(s) more than 10% slower (these machines are noisy: re-run before concluding)")
        return 0
    machine, rows = load_raw(sys.argv[1])
    med = medians(rows)
    print("machine:", ", ".join(f"{k} {v}" for k, v in machine.items()))
    print(table(med))
    tg = targets(med)
    print("targets (issue 4; measured in this run):")
    print("\n".join(tg))
    res = [dict(size=k[0], label=k[1], threads=k[2], **v) for k, v in sorted(med.items())]
    json.dump({"machine": machine, "results": res, "table": table(med).split("\n"), "targets": tg},
              open(sys.argv[2], "w"), indent=1, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
