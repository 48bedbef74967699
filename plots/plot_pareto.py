#!/usr/bin/env python3
"""(a) Carbon per inference vs p95 latency, with the Pareto front (no other point is better on both
axes) marked. Run directory: one point per policy. Sweep directory: seeds are averaged, nothing
else; one series per policy and combination of the swept keys other than the x key (the key
ending in w_C, or --x KEY; else the last swept axis), its points the x values, joined in x order
when x is numeric and labelled with their x value (first and last only when there are many).
Two panels: total carbon per inference (idle included: often the same for every policy to a
fraction of a percent, which the figure then says) and dynamic carbon per inference (the work the
policy placed). Colours: one per policy (ce_plot_common.policy_colors); log axes where values span
a decade or more."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ce_plot_common as c  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

STEM = "a_carbon_vs_latency"
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "h"]


def pareto_front(points):
    """Indices of the points not dominated on (x, y), both minimised, in increasing x."""
    order = sorted(range(len(points)), key=lambda i: (points[i][0], points[i][1]))
    front, best_y = [], float("inf")
    for i in order:
        if points[i][1] < best_y:
            front.append(i)
            best_y = points[i][1]
    return front


def sweep_points(data, df, args, ycols):
    """x key and [(label, policy, [(x value or None, p95, y per ycol...)])]: seed means per series
    and x value."""
    import plot_weight_sweep  # noqa: E402  (its x key choice, so (a) and (b) split the same way)

    key = plot_weight_sweep.find_key(data, getattr(args, "x_key", None))
    if key is None:
        key = data.axes[-1][0] if data.axes else None
    policies = set(df["policy"])
    cols = ["p95"] + ycols
    out = []
    for label, policy, rows in c.sweep_series(df, data.swept_keys, exclude=(key,) if key else ()):
        if key and c.policy_of_key(key, policies) in (None, policy):
            means = rows.groupby(key, sort=False)[cols].mean()
            if pd.api.types.is_numeric_dtype(rows[key]):
                means = means.sort_index()
            pts = [(xv, *[r[col] for col in cols]) for xv, r in means.iterrows()]
        else:  # the x key does not change this policy: its rows are replicates
            pts = [(None, *[rows[col].mean() for col in cols])]
        out.append((label, policy, pts))
    return key, out


PANELS = [("gco2_per_inference", "total gCO2eq per inference\n(idle included)"),
          ("dyn", "dynamic gCO2eq per inference\n(the policy's own work)")]


def draw_panel(ax, data, df, series, colors, key, x_name, yi, ylabel):
    """One panel: every series' points (x = p95, y = column yi of the points), its Pareto front."""
    all_x = [p[1] for _, _, s_pts in series for p in s_pts]
    all_y = [p[2 + yi] for _, _, s_pts in series for p in s_pts]
    logx = c.log_if_decades(ax, all_x, "x")
    logy = c.log_if_decades(ax, all_y, "y")
    # Where a point's label goes to the left, so it stays inside the axes.
    if logx:
        lx = np.log10([x for x in all_x if x > 0])
        x_right = 10 ** (lx.min() + 0.7 * (lx.max() - lx.min()))
    else:
        x_right = min(all_x) + 0.7 * (max(all_x) - min(all_x))
    for si, (label, _, pts) in enumerate(series):
        xs = [p[1] for p in pts]
        ys = [p[2 + yi] for p in pts]
        # Series often land on the same points (same node chosen): earlier ones get bigger markers
        # of other shapes underneath, and their labels go on separate rows.
        marker = MARKERS[si % len(MARKERS)]
        size = 30 + 22 * (len(series) - 1 - si) if key and len(series) <= 8 else 50
        ax.scatter(xs, ys, color=colors[label], label=label, s=size, marker=marker, zorder=3,
                   edgecolors="white", linewidths=0.5)
        if len(pts) > 1 and key:
            numeric = all(pd.api.types.is_number(p[0]) for p in pts)
            if numeric:
                ax.plot(xs, ys, color=colors[label], linewidth=0.8, alpha=0.6, zorder=2)
            # One label per distinct location (x values that give the same result share it); all of
            # them when few, else the first and the last.
            spots = {}
            for pt in pts:
                spots.setdefault((pt[1], pt[2 + yi]), []).append(c.value_text(pt[0]))
            shown = list(spots.items())
            if len(shown) > 6:
                shown = [shown[0], shown[-1]]
            for (px, py), vals in shown:
                text = ", ".join(vals) if len(vals) <= 3 else f"{vals[0]}…{vals[-1]}"
                right = px > x_right
                ax.annotate(f"{x_name}={text}" if len(series) <= 3 else text, (px, py), textcoords="offset points",
                            xytext=(-5 if right else 5, 3 - 8 * (si % 4)), ha="right" if right else "left",
                            fontsize=6.5, color=colors[label])
    pts = [(p[1], p[2 + yi]) for _, _, s_pts in series for p in s_pts]
    front = pareto_front(pts)
    fx = [pts[i][0] for i in front]
    fy = [pts[i][1] for i in front]
    ax.step(fx, fy, where="post", color="black", linestyle="--", linewidth=1, zorder=2, label="Pareto front")
    ax.scatter(fx, fy, facecolors="none", edgecolors="black", s=110, linewidths=1.1, zorder=4)
    if data.kind == "run":
        # Policies that land on the same point share one label.
        labels = {}
        for (label, _, s_pts) in series:
            for pt in s_pts:
                labels.setdefault((pt[1], pt[2 + yi]), []).append(label)
        for (x, y), names in labels.items():
            right = x > x_right
            ax.annotate(", ".join(names), (x, y), textcoords="offset points", xytext=(-7 if right else 7, 5),
                        ha="right" if right else "left", fontsize=8)
    ax.set_xlabel("p95 latency (ms" + (", log scale)" if logx else ")"))
    ax.set_ylabel(ylabel + (", log scale" if logy else ""))
    ax.margins(x=0.08, y=0.12)
    return all_x, all_y


def make(data, out_dir, args):
    if data.kind == "run":
        df = data.comparison.rename(columns={"latency_p95_ms": "p95"})
    else:
        df = data.results.rename(columns={"latency_ms.p95": "p95"})
        if "p95" not in df.columns or "gco2_per_inference" not in df.columns:
            raise c.Skip("results.csv lacks gco2_per_inference or latency_ms.p95")
    df = df.dropna(subset=["gco2_per_inference", "p95"]).copy()
    if df.empty:
        raise c.Skip("no policy completed any request")
    # Dynamic carbon per inference: what the policy's own work cost (total minus idle baseline);
    # older outputs have only dynamic_carbon_g.
    if "dynamic_gco2_per_inference" in df.columns:
        df["dyn"] = df["dynamic_gco2_per_inference"]
    elif "dynamic_carbon_g" in df.columns and "requests_completed" in df.columns:
        df["dyn"] = df["dynamic_carbon_g"] / df["requests_completed"]
    panels = [(i, col, lab) for i, (col, lab) in enumerate(PANELS) if col in df.columns and df[col].notna().all()]
    if "dyn" in df.columns and np.allclose(df["dyn"], df["gco2_per_inference"], rtol=1e-9, atol=0):
        panels = panels[:1]  # no idle power: the dynamic panel would repeat the total
    ycols = [col for _, col, _ in panels]
    if data.kind == "run":
        series = [(str(r["policy"]), str(r["policy"]), [(None, r["p95"], *[r[col] for col in ycols])])
                  for _, r in df.iterrows()]
        key = None
        colors = c.policy_colors(data.policies)
    else:
        key, series = sweep_points(data, df, args, ycols)
        colors = c.series_colors(series, data.policies)
    x_name = c.axis_names(data.axes).get(c.axis_of(key, data.axes)[0], key) if key else ""
    fig, axes = c.plt.subplots(1, len(panels), figsize=(5.2 * len(panels) + 1.6, 4.8), squeeze=False)
    for ax, (yi, col, ylabel) in zip(axes[0], [(j, col, lab) for j, (_, col, lab) in enumerate(panels)]):
        xs, ys = draw_panel(ax, data, df, series, colors, key, x_name, yi, ylabel)
        if col == "gco2_per_inference":
            note = c.tiny_span_note(ys, "totals")
            if key and not note:
                # Points along x differ (e.g. by region), but at each x the policies may not.
                by_x = {}
                for _, _, pts in series:
                    for pt in pts:
                        if pt[0] is not None:
                            by_x.setdefault(c.value_text(pt[0]), []).append(pt[2 + yi])
                spans = [c.relative_span(v) for v in by_x.values()]
                spans = [s for s in spans if s is not None]
                if spans and max(spans) < c.TINY_SPAN:
                    note = (f"at each {x_name}, totals differ by at most {100 * max(spans):.2g}%: "
                            "idle power dominates (see dynamic)")
            if note:
                note = note.replace(" (see dynamic)", ";\nthe right panel shows the dynamic part" if len(panels) > 1 else "")
                c.note_on_axes(ax, note, list(zip(xs, ys)))
    title = f"{data.name}: carbon per inference vs p95 latency (black ring: Pareto front)"
    if data.kind == "sweep":
        title += f"\n{c.replicate_note(df)}" + (f"; points along {c.axis_title(key, data.axes)}" if key else "")
    fig.suptitle(title, fontsize=10)
    if data.kind == "sweep" or len(series) > 4:
        handles, labels = axes[0, -1].get_legend_handles_labels()
        axes[0, -1].legend(handles, labels, fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                           ncol=1 if len(series) <= 16 else 2)
    return c.save_figure(fig, out_dir, STEM)


if __name__ == "__main__":
    c.main_single(make, __doc__)
