#!/usr/bin/env python3
"""(c) Carbon intensity over time with the request rate and the model/host each request was served
by: how an adaptive policy follows the grid. Top: the intensity of every zone whose hosts served
requests, drawn once (every policy of a run sees the same grid), from timeseries.csv. Below it the
arrival rate (requests/s per time bin, from requests.csv: every policy sees the same arrivals).
Then one panel per policy, in its colour: the model @ hosts that served each completed request
(at most MAX_POINTS drawn per policy: a fixed-seed random sample, so the same data gives the same
figure)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ce_plot_common as c  # noqa: E402
import numpy as np  # noqa: E402

STEM = "c_intensity_and_choice"
MAX_POINTS = 3000  # per policy: keeps the SVG small; a fixed-seed sample, deterministic
RATE_BINS = 300  # at most this many bins in the request-rate panel
MAX_STEPS = 2000  # intensity intervals drawn per zone; above, time-weighted means of round bins
ZONE_STYLES = [("black", "-"), ("0.45", "-"), ("black", "--"), ("0.45", "--"), ("black", ":"), ("0.45", ":")]
REQ_COLUMNS = ["arrival_s", "status", "model", "hosts"]


def zone_steps(ts, zones):
    """{zone: (hours, intensities, bin width s or None)} as step series (value held until the next
    change), from the first host of each zone."""
    out = {}
    hosts = ts[ts["kind"] == "host"]
    for zone, rows in hosts.groupby("zone", sort=True, observed=True):
        if zones is not None and zone not in zones:
            continue
        first = rows[rows["consumer"] == rows["consumer"].iloc[0]].sort_values("t0_s")
        out[zone] = c.step_series(first["t0_s"], first["t1_s"], first["intensity_g_per_kwh"], max_points=MAX_STEPS)
    return out


def served_choices(req):
    """Completed requests, downsampled to MAX_POINTS: (hours, row index, row labels). The labels are
    every distinct "model @ hosts" among all completed requests, sorted (so rare choices have a
    row even when the sample misses them); strings are built per distinct pair, not per request."""
    done = req[req["status"] == "completed"]
    if done.empty:
        return None
    pairs = done[["model", "hosts"]].drop_duplicates()
    text = {(m, h): f"{m} @ {h}" for m, h in zip(pairs["model"].astype(str), pairs["hosts"].astype(str))}
    labels = sorted(set(text.values()))
    row = {lab: j for j, lab in enumerate(labels)}
    if len(done) > MAX_POINTS:
        # A fixed-seed random sample, not every k-th row: a round-robin policy's every k-th request
        # can land on the same host every time.
        pick = np.sort(np.random.default_rng(12345).choice(len(done), MAX_POINTS, replace=False))
        sample = done.iloc[pick]
    else:
        sample = done
    ys = [row[text[(m, h)]] for m, h in zip(sample["model"].astype(str), sample["hosts"].astype(str))]
    return sample["arrival_s"].to_numpy() / 3600.0, np.asarray(ys), labels, len(done), len(sample)


def make(data, out_dir, args):
    if data.kind != "run":
        raise c.Skip("needs a run directory (per-request choices); plot DIR/points/<NNNN> of the sweep")
    panels, arrivals, ts_any = [], None, None
    for p in data.policies:
        req = data.requests(p, REQ_COLUMNS)
        ts = data.timeseries(p)
        if req is None or ts is None:
            continue
        ts_any = ts if ts_any is None else ts_any
        if arrivals is None:
            arrivals = req["arrival_s"].to_numpy()  # the same arrivals for every policy
        choice = served_choices(req)
        del req
        if choice is not None:
            panels.append((p, choice, ts))
    if not panels:
        raise c.Skip("no requests.csv/timeseries.csv with completed requests (output.requests/timeseries: false?)")
    colors = c.policy_colors(data.policies)

    # Zones of the hosts that served requests under any policy, drawn once.
    used = set()
    for _, (_, _, labels, _, _), ts in panels:
        host_zone = dict(zip(ts["consumer"].astype(str), ts["zone"].astype(str)))
        for lab in labels:
            for h in lab.split(" @ ", 1)[1].split(";"):
                used.add(host_zone.get(h))
    steps = zone_steps(ts_any, used)

    heights = [2.2, 1.1] + [max(0.9, 0.28 * len(ch[2]) + 0.4) for _, ch, _ in panels]
    fig, axes = c.plt.subplots(len(heights), 1, figsize=(10, sum(heights) + 1.3), sharex=True, squeeze=False,
                               gridspec_kw={"height_ratios": heights})
    axes = axes[:, 0]

    # Intensity, once.
    ax = axes[0]
    all_y, widths = [], set()
    for i, (zone, (xs, ys, width)) in enumerate(steps.items()):
        color, ls = ZONE_STYLES[i % len(ZONE_STYLES)]
        ax.step(xs, ys, where="post", linewidth=1.4, color=color, linestyle=ls, label=str(zone))
        all_y.extend(ys)
        if width:
            widths.add(width)
    logy = c.log_if_decades(ax, all_y, "y")
    if not logy:
        ax.set_ylim(bottom=0)
    ax.set_ylabel("gCO2eq/kWh" + (", log" if logy else ""))
    means = "" if not widths else f" ({c.bin_text(max(widths))} means)"
    ax.set_title(f"carbon intensity of the zones that served requests{means}", fontsize=9, loc="left")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.005, 1.0), title="zone", title_fontsize=7)

    # Request rate.
    ax = axes[1]
    k = data.requests_every()
    span = max(float(arrivals.max()) if len(arrivals) else 0.0, max(float(xs[-1]) * 3600 for xs, _, _ in steps.values())
               if steps else 0.0)
    width = c.time_bins(0.0, span, RATE_BINS)
    edges = np.arange(0.0, span + width, width)
    edges[-1] = min(edges[-1], span) if span > edges[-2] else edges[-1]  # the last bin ends with the run
    counts, _ = np.histogram(arrivals, bins=edges)
    rate = counts * k / np.diff(edges)
    ax.stairs(rate, edges / 3600.0, color="0.25", fill=True, alpha=0.35)
    ax.stairs(rate, edges / 3600.0, color="0.2", linewidth=0.8)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("requests/s")
    sampled = f", from every {k}-th request × {k}" if k > 1 else ""
    ax.set_title(f"arrival rate (all policies; {c.bin_text(width)} bins{sampled})", fontsize=9, loc="left")

    # One panel per policy: what served each request.
    for ax, (policy, (hx, rows, labels, n_done, n_drawn), _) in zip(axes[2:], panels):
        # Rasterised: thousands of markers would make the SVG megabytes.
        ax.scatter(hx, rows, s=4, color=colors[policy], linewidths=0, rasterized=True)
        ax.set_yticks(range(len(labels)))
        ax.set_yticklabels(labels, fontsize=7)
        ax.set_ylim(-0.6, len(labels) - 0.4)
        ax.grid(axis="y", alpha=0.15)
        drawn = f"a fixed random {n_drawn:,} of {n_done:,} completed" if n_drawn < n_done else f"all {n_done:,} completed"
        ax.set_title(f"{policy}: model @ host that served each request ({drawn})", fontsize=9, loc="left",
                     color=colors[policy])
    c.time_axis(axes[-1], span / 3600.0, data.start_utc)
    axes[-1].set_xlim(0, span / 3600.0)
    fig.align_ylabels(axes[:2])  # the choice panels' labels sit beside their long tick labels
    fig.suptitle(f"{data.name}: carbon intensity, request rate and the chosen model/host", fontsize=11)
    return c.save_figure(fig, out_dir, STEM)


if __name__ == "__main__":
    c.main_single(make, __doc__)
