#!/usr/bin/env python3
"""(b) Weight sweep (CarbonEdge Fig. 3): the swept carbon weight w_C against gCO2/inference, p95
latency and each node's task share. Needs a sweep directory; the x key is the swept column ending
in w_C, or --x KEY. When the key is policies.<label>.<...>, only that policy's rows are plotted.
Only seeds (replicates) are averaged, with min-max error bars: every combination of the other
swept keys is its own line ("ce, units=kwh"), since averaging over them would hide where each
setting flips. The share panel has one line per (node, series) for nodes that ever get work, and a
dotted vertical line per series marks its flip point: the first x where the node with the largest
share (the majority node) differs from the one at the smallest x."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ce_plot_common as c  # noqa: E402
import pandas as pd  # noqa: E402

STEM = "b_weight_sweep"
HOST_STYLES = [("-", "o"), ("--", "s"), ("-.", "^"), (":", "D"), ((0, (5, 1)), "v"), ((0, (1, 3)), "P")]


def pick_key(data, wanted):
    if wanted:
        if wanted not in data.swept_keys:
            raise c.InputProblem(f"{data.path}/results.csv: --x '{wanted}' is not a swept key "
                                 f"(swept: {', '.join(data.swept_keys) or 'none'})")
        return wanted
    keys = [k for k in data.swept_keys if k.split(".")[-1] == "w_C" or k.endswith("w_C")]
    if not keys:
        raise c.Skip(f"no swept key ends in w_C (swept: {', '.join(data.swept_keys) or 'none'}); use --x KEY")
    return keys[0]


def find_key(data, wanted):
    """pick_key, or None where the sweep has no x key (for plots that only use it when present)."""
    try:
        return pick_key(data, wanted)
    except c.Skip:
        return None


def line(ax, grp, x, col, **kw):
    """Mean over the replicates at each x, min-max bars where they differ; True if it drew bars."""
    stats = grp.groupby(x)[col].agg(["mean", "min", "max"]).sort_index()
    err = [stats["mean"] - stats["min"], stats["max"] - stats["mean"]]
    has_spread = (stats["max"] - stats["min"]).abs().max() > 0
    ax.errorbar(stats.index, stats["mean"], yerr=err if has_spread else None, markersize=4, capsize=3, **kw)
    return bool(has_spread)


def host_of(col):
    return col[len("per_host."):-len(".task_share")]


def majority_changes(rows, x, share_cols):
    """[(x, host)] for the first x and every x where the host with the largest mean share changes.
    Ties go to the first host in column order, so the answer is deterministic."""
    means = rows.groupby(x)[share_cols].mean().sort_index()
    changes = []
    for xv, shares in means.iterrows():
        if shares.max() <= 0:
            continue  # nothing ran at this x: no majority
        host = host_of(shares.idxmax())
        if not changes or changes[-1][1] != host:
            changes.append((float(xv), host))
    return changes


def make(data, out_dir, args):
    if data.kind != "sweep":
        raise c.Skip("needs a sweep directory (results.csv) over a w_C key")
    key = pick_key(data, getattr(args, "x_key", None))
    df = data.results.copy()
    df[key] = pd.to_numeric(df[key], errors="coerce")
    if df[key].isna().any():
        raise c.Skip(f"swept key '{key}' has non-numeric values")
    only = c.policy_of_key(key, set(df["policy"]))
    if only:
        df = df[df["policy"] == only]
    for col in ("gco2_per_inference", "latency_ms.p95"):
        if col not in df.columns:
            raise c.Skip(f"results.csv has no column '{col}'")
    series = c.sweep_series(df, data.swept_keys, exclude=(key,))
    colors = c.series_colors(series, data.policies)
    all_shares = [col for col in df.columns if col.startswith("per_host.") and col.endswith(".task_share")]
    used_shares = [col for col in all_shares if df[col].fillna(0).abs().max() > 0]
    x_name = c.axis_names(data.axes).get(c.axis_of(key, data.axes)[0], c.short_names([key])[key])

    fig, axes = c.plt.subplots(3, 1, figsize=(9, 9.5), sharex=True)
    spread = False
    for label, _, rows in series:
        spread |= line(axes[0], rows, key, "gco2_per_inference", color=colors[label], label=label, marker="o")
        spread |= line(axes[1], rows, key, "latency_ms.p95", color=colors[label], label=label, marker="o")
    axes[0].set_ylabel("gCO2eq per inference")
    axes[1].set_ylabel("p95 latency (ms)")
    for ax, col in ((axes[0], "gco2_per_inference"), (axes[1], "latency_ms.p95")):
        if c.log_if_decades(ax, df[col].dropna().tolist(), "y"):
            ax.set_ylabel(ax.get_ylabel() + ", log")
    note = c.tiny_span_note(df["gco2_per_inference"].dropna().tolist(), "totals")
    if note:
        axes[0].set_title(note.replace(" (see dynamic)", ""), loc="right", fontsize=8, color="0.15")
    axes[0].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="series", title_fontsize=8)

    notes = []
    flips = []
    for label, _, rows in series:
        for hi, col in enumerate(used_shares):
            ls, marker = HOST_STYLES[hi % len(HOST_STYLES)]
            spread |= line(axes[2], rows, key, col, color=colors[label], linestyle=ls, marker=marker,
                           label=f"{label}: {host_of(col)}")
        changes = majority_changes(rows, key, all_shares) if all_shares else []
        if len(changes) > 1:
            flips.append((label, changes[1][0]))
        if changes:
            path = " → ".join(f"{h} from {x_name}={x:g}" for x, h in changes)
            notes.append(f"majority node of {label}: {path}")
    lo, hi_x = df[key].min(), df[key].max()
    for i, (label, xv) in enumerate(flips):
        for ax in axes:
            ax.axvline(xv, color=colors[label], linestyle=":", linewidth=1.4, zorder=1)
        # Text beside the line, on the side with room; one row per series so labels do not overlap.
        right_side = hi_x == lo or (xv - lo) / (hi_x - lo) < 0.75
        axes[2].annotate(f"{x_name}={xv:g}", xy=(xv, 0.93 - 0.09 * i), xycoords=axes[2].get_xaxis_transform(),
                         xytext=(4 if right_side else -4, 0), textcoords="offset points",
                         ha="left" if right_side else "right", va="center", fontsize=8, color=colors[label],
                         fontweight="bold")
    axes[2].set_ylabel("task share")
    axes[2].set_ylim(-0.05, 1.05)
    if used_shares:
        axes[2].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="series: node",
                       title_fontsize=7)
    axes[2].set_xlabel(c.axis_title(key, data.axes) + (f"  ({key})" if x_name != key else ""))
    bars = "; bars: min-max over seeds" if spread else ""
    flip_text = "; dotted: first change of majority node" if flips else ""
    fig.align_ylabels(axes)
    fig.suptitle(f"{data.name}: weight sweep over {x_name}\n({c.replicate_note(df)}{bars}{flip_text})", fontsize=10)
    return c.Written(c.save_figure(fig, out_dir, STEM), notes)


if __name__ == "__main__":
    c.main_single(make, __doc__)
