#!/usr/bin/env python3
"""(d) Per-region comparison. Run directory: per carbon zone and policy, the total carbon (hosts and
links, idle included), the dynamic carbon (the policy's own work) and the share of executed stages,
from summary.json per_host/per_link. Sweep directory over a region axis (--region-key KEY, else the
swept key whose last part names a region or zone; a `zip:` of several hosts' regions is one axis):
per region value, total and dynamic gCO2/inference and p95 latency, one bar per policy and
combination of the other swept axes (mean over seeds only). Bars are in the policies' colours; a
panel whose values span a decade or more is logarithmic; when the totals of the policies differ by
under 2% (idle power dominates) the figure says so."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ce_plot_common as c  # noqa: E402
import numpy as np  # noqa: E402

STEM = "d_regions"


def grouped_bars(ax, categories, series, colors, log=False):
    """series: {label: [value per category]}; bars grouped by category, one colour per label."""
    n = max(1, len(series))
    width = 0.8 / n
    x = np.arange(len(categories))
    for i, (label, vals) in enumerate(series.items()):
        vals = np.asarray(vals, dtype=float)
        if log:
            vals = np.where(vals > 0, vals, np.nan)  # nothing to draw on a log axis
        ax.bar(x + (i - (n - 1) / 2) * width, vals, width, label=label, color=colors[label],
               edgecolor="white", linewidth=0.4)
    ax.set_xticks(x)
    ax.set_xticklabels([c.wrap_label(str(k), 14) for k in categories], fontsize=8)
    ax.grid(axis="x", visible=False)


def bar_panel(ax, categories, series, colors, ylabel):
    """Bars, on a log axis when the positive values span a decade or more."""
    vals = [v for vs in series.values() for v in vs if v is not None and np.isfinite(v) and v > 0]
    log = c.spans_decades(vals)
    grouped_bars(ax, categories, series, colors, log)
    if log:
        ax.set_yscale("log")
        ax.yaxis.set_minor_formatter(c.matplotlib.ticker.LogFormatterSciNotation(labelOnlyBase=False,
                                                                              minor_thresholds=(1.3, 0.5)))
    ax.set_ylabel(ylabel + (", log" if log else ""))


def within_group_span(series, n_categories):
    """The largest relative span between the bars of one category (None if no category has two)."""
    spans = []
    for i in range(n_categories):
        s = c.relative_span([vals[i] for vals in series.values()])
        if s is not None:
            spans.append(s)
    return max(spans) if spans else None


def tiny_note(ax, series, n_categories, what):
    span = within_group_span(series, n_categories)
    if span is not None and span < c.TINY_SPAN:
        # Above the panel, right-aligned: over the bars it would hide them.
        ax.set_title(f"{what} differ by at most {100 * span:.2g}% within a zone:\nidle power dominates "
                     "(see the dynamic panel)", loc="right", fontsize=8, color="0.15",
                     bbox={"boxstyle": "round,pad=0.25", "facecolor": "lightyellow", "edgecolor": "0.6"})


def zone_totals(summary):
    carbon, dynamic, tasks = {}, {}, {}
    for table in ("per_host", "per_link"):
        for name, h in summary.get(table, {}).items():
            z = str(h.get("zone", "?"))
            carbon[z] = carbon.get(z, 0.0) + float(h.get("carbon_g", 0.0))
            if "dynamic_carbon_g" in h:
                dynamic[z] = dynamic.get(z, 0.0) + float(h["dynamic_carbon_g"])
            if table == "per_host":
                tasks[z] = tasks.get(z, 0.0) + float(h.get("tasks", 0))
    return carbon, dynamic, tasks


def make_run(data, out_dir):
    totals = {p: zone_totals(data.summary(p)) for p in data.policies}
    zones = sorted({z for carbon, _, _ in totals.values() for z in carbon})
    if not zones:
        raise c.Skip("summary.json has no per_host/per_link zones")
    colors = c.policy_colors(data.policies)
    has_dynamic = all(totals[p][1] for p in data.policies)
    n = 3 if has_dynamic else 2
    fig, axes = c.plt.subplots(n, 1, figsize=(max(7.5, 0.5 * len(zones) * max(1, len(data.policies)) + 2.5),
                                               2.5 * n + 0.8), sharex=True)
    total = {p: [totals[p][0].get(z, 0.0) for z in zones] for p in data.policies}
    bar_panel(axes[0], zones, total, colors, "carbon (gCO2eq)\nhosts + links, idle incl.")
    tiny_note(axes[0], total, len(zones), "policies")
    if has_dynamic:
        dyn = {p: [totals[p][1].get(z, 0.0) for z in zones] for p in data.policies}
        bar_panel(axes[1], zones, dyn, colors, "dynamic carbon (gCO2eq)\nthe policy's own work")
    shares = {}
    for p in data.policies:
        t = totals[p][2]
        s = sum(t.values())
        shares[p] = [t.get(z, 0.0) / s if s > 0 else 0.0 for z in zones]
    grouped_bars(axes[-1], zones, shares, colors)
    axes[-1].set_ylabel("share of\nexecuted stages")
    axes[-1].set_ylim(0, 1.05)
    axes[-1].set_xlabel("carbon zone")
    axes[0].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="policy", title_fontsize=8)
    fig.align_ylabels(axes)
    fig.suptitle(f"{data.name}: carbon and work per carbon zone", fontsize=11)
    return c.save_figure(fig, out_dir, STEM)


def region_key(data, wanted):
    if wanted:
        if wanted not in data.swept_keys:
            raise c.InputProblem(f"{data.path}/results.csv: --region-key '{wanted}' is not a swept key "
                                 f"(swept: {', '.join(data.swept_keys) or 'none'})")
        return wanted
    for k in data.swept_keys:
        last = k.split(".")[-1].lower()
        if ("region" in last or "zone" in last) and data.results[k].nunique() > 1:
            return k
    raise c.Skip(f"no swept key names a region or zone (swept: {', '.join(data.swept_keys) or 'none'}); "
                 "use --region-key KEY")


def make_sweep(data, out_dir, wanted):
    key = region_key(data, wanted)
    axis = c.axis_of(key, data.axes)
    df = data.results.assign(_r=[c.axis_value_text(v) for v in zip(*[data.results[k] for k in axis])])
    for col in ("gco2_per_inference", "latency_ms.p95"):
        if col not in df.columns:
            raise c.Skip(f"results.csv has no column '{col}'")
    if "dynamic_gco2_per_inference" not in df.columns and {"dynamic_carbon_g", "requests_completed"} <= set(df.columns):
        df["dynamic_gco2_per_inference"] = df["dynamic_carbon_g"] / df["requests_completed"]
    regions = list(dict.fromkeys(df["_r"]))  # path-valued keys (carbon.traces.<zone>.file): file name
    # Seeds are averaged, nothing else: each combination of the other swept axes is its own bar.
    series = c.sweep_series(df, data.swept_keys, exclude=tuple(axis))
    colors = c.series_colors(series, data.policies)
    panels = [("gco2_per_inference", "gCO2eq per inference\n(idle included)"),
              ("dynamic_gco2_per_inference", "dynamic gCO2eq\nper inference"),
              ("latency_ms.p95", "p95 latency (ms)")]
    panels = [(col, lab) for col, lab in panels if col in df.columns]
    means = {label: rows.groupby("_r")[[col for col, _ in panels]].mean() for label, _, rows in series}
    fig, axes = c.plt.subplots(len(panels), 1, sharex=True,
                               figsize=(max(6.5, 0.45 * len(regions) * max(1, len(series)) + 3.0), 2.4 * len(panels) + 1))
    for ax, (col, ylabel) in zip(axes, panels):
        bars = {label: [m[col].get(r, np.nan) for r in regions] for label, m in means.items()}
        bar_panel(ax, regions, bars, colors, ylabel)
        if col == "gco2_per_inference":
            tiny_note(ax, bars, len(regions), "totals")
    axes[-1].set_xlabel(c.axis_title(key, data.axes))
    axes[0].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), ncol=1 if len(series) <= 14 else 2)
    fig.align_ylabels(axes)
    fig.suptitle(f"{data.name}: per-region comparison over {c.axis_title(key, data.axes)} ({c.replicate_note(df)})",
                 fontsize=11)
    return c.save_figure(fig, out_dir, STEM)


def make(data, out_dir, args):
    if data.kind == "run":
        return make_run(data, out_dir)
    return make_sweep(data, out_dir, getattr(args, "region_key", None))


if __name__ == "__main__":
    c.main_single(make, __doc__)
