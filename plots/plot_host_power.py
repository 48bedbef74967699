#!/usr/bin/env python3
"""(e) Per-host mean power over time, one panel per policy (title in the policy's colour), from
<policy>/timeseries.csv (resolution: the intervals between the zone's intensity change points,
docs/outputs.md). A host's colour is the same in every panel; the y axis is logarithmic when the
hosts' powers span a decade or more (a 3 W Raspberry Pi beside a 190 W server). Series with more
than MAX_STEPS intervals (a year of hourly intervals) are drawn as the mean power of round time
bins (Σ energy / Σ time), which the title says."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ce_plot_common as c  # noqa: E402

STEM = "e_host_power"
MAX_STEPS = 1500


def make(data, out_dir, args):
    if data.kind != "run":
        raise c.Skip("needs a run directory (per-run time series); plot DIR/points/<NNNN> of the sweep")
    series = {p: data.timeseries(p) for p in data.policies}
    series = {p: ts for p, ts in series.items() if ts is not None}
    if not series:
        raise c.Skip("no timeseries.csv (output.timeseries: false)")
    colors = c.policy_colors(data.policies)
    fig, axes = c.plt.subplots(len(series), 1, figsize=(9.5, 2.3 * len(series) + 0.9), sharex=True, squeeze=False)
    cmap = c.plt.get_cmap("tab20")
    host_color, widths, all_y = {}, set(), []
    for ax, (policy, ts) in zip(axes[:, 0], series.items()):
        hosts = ts[ts["kind"] == "host"]
        ys_here = []
        for host, rows in hosts.groupby("consumer", sort=False, observed=True):
            if rows.empty:
                continue
            host_color.setdefault(host, cmap(len(host_color) % 20))
            rows = rows.sort_values("t0_s")
            xs, ys, width = c.step_series(rows["t0_s"], rows["t1_s"], rows["mean_power_w"], energy=rows["energy_j"],
                                          max_points=MAX_STEPS)
            if width:
                widths.add(width)
            ax.step(xs, ys, where="post", color=host_color[host], label=str(host), linewidth=1.2)
            ys_here.extend(ys)
        all_y.append(ys_here)
        ax.set_ylabel("power (W)")
        ax.set_title(policy, fontsize=10, loc="left", color=colors[policy])
    # One scale for every panel, so they compare at a glance.
    flat = [y for ys in all_y for y in ys]
    for ax in axes[:, 0]:
        if c.log_if_decades(ax, flat, "y"):
            ax.set_ylabel("power (W, log)")
        else:
            ax.set_ylim(bottom=0)
    axes[0, 0].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="host", title_fontsize=7,
                      ncol=1 if len(host_color) <= 12 else 2)  # outside: lines are flat
    c.time_axis(axes[-1, 0], max(float(ts["t1_s"].max()) for ts in series.values()) / 3600.0, data.start_utc)
    means = f" ({c.bin_text(max(widths))} means)" if widths else ""
    fig.suptitle(f"{data.name}: mean power per host{means}", fontsize=11)
    return c.save_figure(fig, out_dir, STEM)


if __name__ == "__main__":
    c.main_single(make, __doc__)
