#!/usr/bin/env python3
"""(e) Per-host mean power over time, one panel per policy, from <policy>/timeseries.csv (resolution:
the intervals between the zone's intensity change points, docs/outputs.md)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ce_plot_common as c  # noqa: E402

STEM = "e_host_power"


def make(data, out_dir, args):
    if data.kind != "run":
        raise c.Skip("needs a run directory (per-run time series); plot DIR/points/<NNNN> of the sweep")
    series = {p: data.timeseries(p) for p in data.policies}
    series = {p: ts for p, ts in series.items() if ts is not None}
    if not series:
        raise c.Skip("no timeseries.csv (output.timeseries: false)")
    fig, axes = c.plt.subplots(len(series), 1, figsize=(9, 2.6 * len(series) + 0.6), sharex=True, squeeze=False)
    cmap = c.plt.get_cmap("tab20")
    for ax, (policy, ts) in zip(axes[:, 0], series.items()):
        hosts = ts[ts["kind"] == "host"]
        for i, (host, rows) in enumerate(hosts.groupby("consumer", sort=False)):
            rows = rows.sort_values("t0_s")
            xs = list(rows["t0_s"] / 3600.0) + [rows["t1_s"].iloc[-1] / 3600.0]
            ys = list(rows["mean_power_w"]) + [rows["mean_power_w"].iloc[-1]]
            ax.step(xs, ys, where="post", color=cmap(i % 20), label=host, linewidth=1.2)
        ax.set_ylabel("power (W)")
        ax.set_title(policy, fontsize=10)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # outside: lines are flat
    axes[-1, 0].set_xlabel(c.hours_label(data.start_utc))
    fig.suptitle(f"{data.name}: mean power per host")
    return c.save_figure(fig, out_dir, STEM)


if __name__ == "__main__":
    c.main_single(make, __doc__)
