#!/usr/bin/env python3
"""(c) Carbon intensity over time with the model/host each request was served by overlaid, one panel
per policy: how an adaptive policy follows the grid. Intensity steps come from timeseries.csv (one
line per zone of the hosts that served requests), choices from requests.csv (completed requests)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ce_plot_common as c  # noqa: E402

STEM = "c_intensity_and_choice"
MAX_POINTS = 3000  # per policy: keeps the SVG small; every k-th request, deterministic


def zone_steps(ts, zones):
    """{zone: (hours, intensities)} as step series (value held until the next change)."""
    out = {}
    hosts = ts[ts["kind"] == "host"]
    for zone, rows in hosts.groupby("zone", sort=True):
        if zones and zone not in zones:
            continue
        first = rows[rows["consumer"] == rows["consumer"].iloc[0]].sort_values("t0_s")
        xs = list(first["t0_s"] / 3600.0) + [first["t1_s"].iloc[-1] / 3600.0]
        ys = list(first["intensity_g_per_kwh"]) + [first["intensity_g_per_kwh"].iloc[-1]]
        out[zone] = (xs, ys)
    return out


def make(data, out_dir, args):
    if data.kind != "run":
        raise c.Skip("needs a run directory (per-request choices); plot DIR/points/<NNNN> of the sweep")
    panels = []
    for p in data.policies:
        req, ts = data.requests(p), data.timeseries(p)
        if req is None or ts is None:
            continue
        done = req[req["status"] == "completed"]
        if not done.empty:
            panels.append((p, done, ts))
    if not panels:
        raise c.Skip("no requests.csv/timeseries.csv with completed requests (output.requests/timeseries: false?)")
    # Two rows per policy: intensity steps above, the served-by choices (one row per "model @ hosts")
    # below, sharing the time axis.
    fig, axes = c.plt.subplots(2 * len(panels), 1, figsize=(10, 3.6 * len(panels) + 0.6), sharex=True,
                               squeeze=False, gridspec_kw={"height_ratios": [2, 1] * len(panels)})
    for i, (policy, done, ts) in enumerate(panels):
        ax, low = axes[2 * i, 0], axes[2 * i + 1, 0]
        host_zone = dict(zip(ts["consumer"], ts["zone"]))
        served = done["hosts"].astype(str)
        used_zones = {host_zone.get(h) for hs in served.unique() for h in hs.split(";")}
        for zone, (xs, ys) in zone_steps(ts, used_zones).items():
            ax.step(xs, ys, where="post", linewidth=1.5, label=f"{zone}")
        ax.set_ylim(bottom=0)
        ax.set_ylabel("gCO2eq/kWh")
        ax.set_title(f"{policy}: intensity of the zones it used, and what served each request", fontsize=10)
        ax.legend(fontsize=7, loc="upper left", title="zone", title_fontsize=7)
        choice = done["model"].astype(str) + " @ " + served
        labels = sorted(choice.unique())
        row = {lab: j for j, lab in enumerate(labels)}
        step = max(1, len(done) // MAX_POINTS)
        # Rasterised: thousands of markers would make the SVG megabytes.
        low.scatter(done["arrival_s"].iloc[::step] / 3600.0, [row[x] for x in choice.iloc[::step]], s=6,
                    color="black", alpha=0.6, rasterized=True)
        low.set_yticks(range(len(labels)))
        low.set_yticklabels(labels, fontsize=7)
        low.set_ylim(-0.5, len(labels) - 0.5)
        low.grid(axis="y", alpha=0.15)
    axes[-1, 0].set_xlabel(c.hours_label(data.start_utc))
    fig.suptitle(f"{data.name}: carbon intensity and the chosen model/host")
    return c.save_figure(fig, out_dir, STEM)


if __name__ == "__main__":
    c.main_single(make, __doc__)
