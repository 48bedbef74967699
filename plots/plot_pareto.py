#!/usr/bin/env python3
"""(a) Carbon per inference vs p95 latency, with the Pareto front (no other point is better on both
axes) marked. Run directory: one point per policy. Sweep directory: seeds are averaged, nothing
else; one series per policy and combination of the swept keys other than the x key (the key
ending in w_C, or --x KEY; else the last swept key), its points the x values, joined in x order
when x is numeric and labelled with their x value (first and last only when there are many)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ce_plot_common as c  # noqa: E402
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


def sweep_points(data, df, args):
    """[(label, [(x value or None, p95, gco2)])]: seed means per series and x value."""
    import plot_weight_sweep  # noqa: E402  (its x key choice, so (a) and (b) split the same way)

    key = plot_weight_sweep.find_key(data, getattr(args, "x_key", None))
    if key is None:
        varying = [k for k in data.swept_keys if df[k].nunique() > 1]
        key = varying[-1] if varying else None
    policies = set(df["policy"])
    out = []
    for label, policy, rows in c.sweep_series(df, data.swept_keys, exclude=(key,) if key else ()):
        if key and c.policy_of_key(key, policies) in (None, policy):
            means = rows.groupby(key, sort=False)[["p95", "gco2_per_inference"]].mean()
            if pd.api.types.is_numeric_dtype(rows[key]):
                means = means.sort_index()
            pts = [(xv, r["p95"], r["gco2_per_inference"]) for xv, r in means.iterrows()]
        else:  # the x key does not change this policy: its rows are replicates
            pts = [(None, rows["p95"].mean(), rows["gco2_per_inference"].mean())]
        out.append((label, pts))
    return key, out


def make(data, out_dir, args):
    if data.kind == "run":
        df = data.comparison.rename(columns={"latency_p95_ms": "p95"})
    else:
        df = data.results.rename(columns={"latency_ms.p95": "p95"})
        if "p95" not in df.columns or "gco2_per_inference" not in df.columns:
            raise c.Skip("results.csv lacks gco2_per_inference or latency_ms.p95")
    df = df.dropna(subset=["gco2_per_inference", "p95"])
    if df.empty:
        raise c.Skip("no policy completed any request")
    fig, ax = c.plt.subplots(figsize=(8, 5.5))
    if data.kind == "run":
        series = [(str(p), [(None, x, y) for x, y in zip(sub["p95"], sub["gco2_per_inference"])])
                  for p, sub in df.groupby("policy", sort=False)]
        key = None
    else:
        key, series = sweep_points(data, df, args)
    colors = c.series_colors([label for label, _ in series])
    x_name = c.short_names([key])[key] if key else ""
    all_x = [p[1] for _, s_pts in series for p in s_pts]
    x_right = min(all_x) + 0.7 * (max(all_x) - min(all_x))
    for si, (label, pts) in enumerate(series):
        xs = [p[1] for p in pts]
        ys = [p[2] for p in pts]
        # Series often land on the same points (same node chosen): earlier ones get bigger markers
        # of other shapes underneath, and their labels go on separate rows.
        marker = MARKERS[si % len(MARKERS)]
        size = 30 + 22 * (len(series) - 1 - si)
        ax.scatter(xs, ys, color=colors[label], label=label, s=size, marker=marker, zorder=3)
        if len(pts) > 1 and key:
            numeric = all(pd.api.types.is_number(p[0]) for p in pts)
            if numeric:
                ax.plot(xs, ys, color=colors[label], linewidth=0.8, alpha=0.6, zorder=2)
            # One label per distinct location (x values that give the same result share it); all of
            # them when few, else the first and the last.
            spots = {}
            for xv, px, py in pts:
                spots.setdefault((px, py), []).append(c.value_text(xv))
            shown = list(spots.items())
            if len(shown) > 6:
                shown = [shown[0], shown[-1]]
            for (px, py), vals in shown:
                text = ", ".join(vals) if len(vals) <= 3 else f"{vals[0]}…{vals[-1]}"
                right = px > x_right  # label on the left there, so it stays inside the axes
                ax.annotate(f"{x_name}={text}", (px, py), textcoords="offset points", xytext=(-5 if right else 5, 3 - 10 * si),
                            ha="right" if right else "left", fontsize=7, color=colors[label])
    pts = [(p[1], p[2]) for _, s_pts in series for p in s_pts]
    front = pareto_front(pts)
    fx = [pts[i][0] for i in front]
    fy = [pts[i][1] for i in front]
    ax.step(fx, fy, where="post", color="black", linestyle="--", linewidth=1, zorder=2, label="Pareto front")
    ring = 140 + 22 * (len(series) - 1)
    ax.scatter(fx, fy, facecolors="none", edgecolors="black", s=ring, linewidths=1.2, zorder=4)
    if data.kind == "run":
        # Policies that land on the same point share one label.
        labels = {}
        for p, x, y in zip(df["policy"], df["p95"], df["gco2_per_inference"]):
            labels.setdefault((x, y), []).append(str(p))
        for (x, y), names in labels.items():
            ax.annotate(", ".join(names), (x, y), textcoords="offset points", xytext=(6, 4), fontsize=8)
    ax.set_xlabel("p95 latency (ms)")
    ax.set_ylabel("gCO2eq per inference")
    title = f"{data.name}: carbon per inference vs p95 latency"
    if data.kind == "sweep":
        title += f"\n({c.replicate_note(df)}" + (f"; points along {key}" if key else "") + ")"
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return c.save_figure(fig, out_dir, STEM)


if __name__ == "__main__":
    c.main_single(make, __doc__)
