#!/usr/bin/env python3
"""(d) Per-region comparison. Run directory: carbon (hosts and links) and share of executed stages
per carbon zone, per policy, from summary.json per_host/per_link. Sweep directory over a region key
(--region-key KEY, else the swept key whose last part names a region or zone): gCO2/inference and
p95 latency per region value, one bar per policy and combination of the other swept keys (mean
over seeds only)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ce_plot_common as c  # noqa: E402
import numpy as np  # noqa: E402

STEM = "d_regions"


def grouped_bars(ax, categories, series, colors):
    """series: {policy: [value per category]}."""
    n = max(1, len(series))
    width = 0.8 / n
    x = np.arange(len(categories))
    for i, (p, vals) in enumerate(series.items()):
        ax.bar(x + (i - (n - 1) / 2) * width, vals, width, label=p, color=colors[p])
    ax.set_xticks(x)
    ax.set_xticklabels(categories, fontsize=8)


def zone_totals(summary):
    carbon, tasks = {}, {}
    for table in ("per_host", "per_link"):
        for name, h in summary.get(table, {}).items():
            z = str(h.get("zone", "?"))
            carbon[z] = carbon.get(z, 0.0) + float(h.get("carbon_g", 0.0))
            if table == "per_host":
                tasks[z] = tasks.get(z, 0.0) + float(h.get("tasks", 0))
    return carbon, tasks


def make_run(data, out_dir):
    totals = {p: zone_totals(data.summary(p)) for p in data.policies}
    zones = sorted({z for carbon, _ in totals.values() for z in carbon})
    if not zones:
        raise c.Skip("summary.json has no per_host/per_link zones")
    colors = c.policy_colors(data.policies)
    fig, axes = c.plt.subplots(2, 1, figsize=(max(6, 1.2 * len(zones) * max(1, len(data.policies)) / 2), 7))
    grouped_bars(axes[0], zones, {p: [totals[p][0].get(z, 0.0) for z in zones] for p in data.policies}, colors)
    axes[0].set_ylabel("carbon (gCO2eq, hosts + links)")
    shares = {}
    for p in data.policies:
        t = totals[p][1]
        s = sum(t.values())
        shares[p] = [t.get(z, 0.0) / s if s > 0 else 0.0 for z in zones]
    grouped_bars(axes[1], zones, shares, colors)
    axes[1].set_ylabel("share of executed stages")
    axes[1].set_xlabel("carbon zone")
    axes[0].legend(fontsize=8)
    fig.suptitle(f"{data.name}: per-region carbon and work")
    return c.save_figure(fig, out_dir, STEM)


def region_key(data, wanted):
    if wanted:
        if wanted not in data.swept_keys:
            raise c.InputProblem(f"{data.path}/results.csv: --region-key '{wanted}' is not a swept key "
                                 f"(swept: {', '.join(data.swept_keys) or 'none'})")
        return wanted
    for k in data.swept_keys:
        last = k.split(".")[-1].lower()
        if "region" in last or "zone" in last:
            return k
    raise c.Skip(f"no swept key names a region or zone (swept: {', '.join(data.swept_keys) or 'none'}); "
                 "use --region-key KEY")


def make_sweep(data, out_dir, wanted):
    key = region_key(data, wanted)
    df = data.results.assign(_r=data.results[key].astype(str))
    for col in ("gco2_per_inference", "latency_ms.p95"):
        if col not in df.columns:
            raise c.Skip(f"results.csv has no column '{col}'")
    regions = list(dict.fromkeys(df["_r"]))
    labels = [c.value_text(r) for r in regions]  # path-valued keys (carbon.traces.<zone>.file): file name
    # Seeds are averaged, nothing else: each combination of the other swept keys is its own bar.
    series = c.sweep_series(df, data.swept_keys, exclude=(key,))
    colors = c.series_colors([label for label, _, _ in series])
    means = {label: rows.groupby("_r")[["gco2_per_inference", "latency_ms.p95"]].mean() for label, _, rows in series}
    fig, axes = c.plt.subplots(2, 1, figsize=(max(6, 1.0 * len(regions) * max(1, len(series)) / 2), 7))
    for ax, col, ylabel in ((axes[0], "gco2_per_inference", "gCO2eq per inference"),
                            (axes[1], "latency_ms.p95", "p95 latency (ms)")):
        bars = {label: [m[col].get(r, np.nan) for r in regions] for label, m in means.items()}
        grouped_bars(ax, labels, bars, colors)
        ax.set_ylabel(ylabel)
    axes[1].set_xlabel(key)
    axes[0].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.suptitle(f"{data.name}: per-region comparison over {key} ({c.replicate_note(df)})")
    return c.save_figure(fig, out_dir, STEM)


def make(data, out_dir, args):
    if data.kind == "run":
        return make_run(data, out_dir)
    return make_sweep(data, out_dir, getattr(args, "region_key", None))


if __name__ == "__main__":
    c.main_single(make, __doc__)
