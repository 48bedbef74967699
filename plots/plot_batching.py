#!/usr/bin/env python3
"""(g) Batching knee: a sweep over a batching host's `max_batch` (the x axis, log 2) against energy per
inference — total (idle included) solid, dynamic only dotted — and p95 latency, one line per
max_queue_delay, one column per request rate (or per other swept key). The knee — the smallest
max_batch whose energy per inference is within 5 % of the line's minimum — is marked on each line.
Needs a sweep directory with a swept key ending in batching.max_batch (docs/inputs.md "Batching")."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ce_plot_common as c  # noqa: E402

STEM = "g_batching"
KNEE_TOLERANCE = 0.05
SECONDS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0}


def seconds(v):
    """A swept duration ("2ms", "0.5s", or a bare number of seconds) in seconds, for ordering."""
    m = re.fullmatch(r"([0-9.eE+-]+)\s*([a-z]*)", str(v).strip())
    if not m or (m.group(2) and m.group(2) not in SECONDS):
        return float("inf")
    return float(m.group(1)) * SECONDS[m.group(2) or "s"]


def knee(xs, ys):
    """Smallest x whose y is within KNEE_TOLERANCE of min(ys)."""
    best = min(ys)
    return next(x for x, y in zip(xs, ys) if y <= best * (1 + KNEE_TOLERANCE))


def make(data, out_dir, args):
    if data.kind != "sweep":
        raise c.Skip("needs a sweep directory")
    batch_keys = [k for k in data.swept_keys if k.endswith("batching.max_batch")]
    if not batch_keys:
        raise c.Skip(f"no swept key ends in batching.max_batch (swept: {', '.join(data.swept_keys) or 'none'})")
    xkey = batch_keys[0]
    delay_keys = [k for k in data.swept_keys if k.endswith("batching.max_queue_delay")]
    dkey = delay_keys[0] if delay_keys else None
    others = [k for k in data.swept_keys if k not in (xkey, dkey)]
    df = data.results.copy()
    df = df[df["requests_completed"] > 0]
    df["e_mj"] = 1e3 * df["energy_j"] / df["requests_completed"]
    df["dyn_mj"] = 1e3 * df["dynamic_energy_j"] / df["requests_completed"]
    # One panel per combination of the other swept keys (a lone key grouped by name, not a list).
    panels = list(df.groupby(others if len(others) > 1 else others[0], sort=True)) if others else [((), df)]
    fig, axes = c.plt.subplots(2, len(panels), figsize=(4.2 * len(panels) + 0.6, 7), squeeze=False,
                               layout="constrained")
    delays = sorted(df[dkey].unique(), key=seconds) if dkey else [None]
    colors = c.plt.rcParams["axes.prop_cycle"].by_key()["color"]
    notes = []
    for col, (pkey, rows) in enumerate(panels):
        ax_e, ax_l = axes[0][col], axes[1][col]
        names = c.short_names(others)
        title = ", ".join(f"{names[k]} = {c.value_text(v)}"
                          for k, v in zip(others, pkey if isinstance(pkey, tuple) else (pkey,)))
        ax_e.set_title(title or data.name, fontsize=10)
        for i, d in enumerate(delays):
            sel = rows if d is None else rows[rows[dkey] == d]
            g = sel.groupby(xkey)[["e_mj", "dyn_mj", "latency_ms.p95"]].mean().sort_index()
            if g.empty:
                continue
            label = f"max_queue_delay {c.value_text(d)}" if d is not None else "energy"
            color = colors[i % len(colors)]
            ax_e.plot(g.index, g["e_mj"], "-o", color=color, markersize=4, label=label)
            ax_e.plot(g.index, g["dyn_mj"], ":", color=color, markersize=3)
            ax_l.plot(g.index, g["latency_ms.p95"], "-o", color=color, markersize=4, label=label)
            k = knee(list(g.index), list(g["e_mj"]))
            ax_e.plot([k], [g.loc[k, "e_mj"]], marker="*", markersize=13, color=color, markeredgecolor="black",
                      linestyle="none")
            notes.append(f"{title or data.name}, {label}: knee at max_batch {k} "
                         f"({g.loc[k, 'e_mj']:.2f} mJ/inference vs {g['e_mj'].iloc[0]:.2f} at {g.index[0]}; "
                         f"p95 {g.loc[k, 'latency_ms.p95']:.1f} ms)")
        xs = sorted(rows[xkey].unique())
        for ax in (ax_e, ax_l):
            ax.set_xscale("log", base=2)
            ax.set_xticks(xs, [c.value_text(float(x)) for x in xs])
            ax.minorticks_off()
            ax.set_xlabel("max_batch")
            ax.grid(True, alpha=0.3)
        ax_e.set_ylabel("energy per inference (mJ)\nsolid: total, dotted: dynamic; ★ knee")
        ax_l.set_ylabel("p95 latency (ms)")
        c.log_if_decades(ax_l, list(rows["latency_ms.p95"]))
        ax_e.set_ylim(bottom=0)
    axes[1][0].legend(fontsize=8)
    fig.suptitle(f"{data.name}: batching knee (★: within {int(KNEE_TOLERANCE * 100)} % of the lowest energy per inference)")
    return c.Written(c.save_figure(fig, out_dir, STEM), notes)
