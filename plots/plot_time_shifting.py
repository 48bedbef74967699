#!/usr/bin/env python3
"""Figures of the time-shifting experiments (elastic batch jobs, workload `batch_job`):

  zones    SWEEP_DIR   batch-carbon saving vs agnostic-1 per zone (experiments/batch_scaling_year.yaml)
  slack    SWEEP_DIR   saving vs slack = deadline - job length, a panel per zone (batch_slack.yaml)
  forecast SWEEP_DIR   saving and regret vs the forecast, a column per zone (batch_forecast.yaml)
  schedule RUN_DIR --day YYYY-MM-DD   workers busy over one UTC day per policy, with the grid
                       intensity of the batch host's zone (batch_interactive_week.yaml)

Savings are of batch_carbon_g, the batch jobs' dynamic carbon: the server stays on whatever the
policy, so its idle carbon is the same for all and would only dilute the differences. The bound is
1 - oracle_batch_carbon_g / agnostic-1's batch_carbon_g. Writes DIR/plots/time_shifting_<cmd>.png
(and .svg, through ce_plot_common.save_figure). Bad input: one line on stderr, exit code 2.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ce_plot_common as c  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

BASELINE = "agnostic-1"  # CarbonScaler's baseline: one worker from arrival
BOUND = "bound (oracle_batch_carbon_g)"
PCT = mticker.PercentFormatter(1.0, decimals=0)
FONT = {"font.size": 10, "axes.titlesize": 10.5, "axes.labelsize": 10, "legend.fontsize": 9}


# ---------------------------------------------------------------- sweep helpers

def sweep_frame(path, extra_key_suffix=None):
    """results.csv of a sweep, averaged over seeds, with `zone` and (optionally) the axis whose key
    ends in extra_key_suffix renamed to `x`; plus the policies and their colours. Raises
    InputProblem when a column the figures need is missing."""
    data = c.open_dir(path)
    if data.kind != "sweep":
        raise c.InputProblem(f"{path}: not a sweep directory (no results.csv)")
    df = data.results
    csv = os.path.join(path, "results.csv")
    for col in ("batch_carbon_g", "oracle_batch_carbon_g", "regret_vs_oracle"):
        if col not in df.columns:
            raise c.InputProblem(f"{csv}: missing column '{col}' (not a batch_job sweep?)")
    # `zone:` in a sweep becomes platform.region (or a zip of hosts' regions): the first such key.
    zone_key = next((k for k in data.swept_keys if re.search(r"(region|zone)$", k)), None)
    if zone_key is None:
        raise c.InputProblem(f"{csv}: no swept zone/region column")
    keys = {zone_key: "zone"}
    if extra_key_suffix:
        x_key = next((k for k in data.swept_keys if k.endswith(extra_key_suffix)), None)
        if x_key is None:
            raise c.InputProblem(f"{csv}: no swept column '*{extra_key_suffix}'")
        keys[x_key] = "x"
    if BASELINE not in data.policies:
        raise c.InputProblem(f"{csv}: no policy '{BASELINE}' to measure savings against")
    df = df.rename(columns=keys).astype({k: str for k in keys.values()})
    # sort=False keeps the grid order of results.csv: zones and x values in the sweep's order.
    g = df.groupby(list(keys.values()) + ["policy"], sort=False)[
        ["batch_carbon_g", "oracle_batch_carbon_g", "regret_vs_oracle", "jobs_late"]].mean().reset_index()
    base = g[g.policy == BASELINE].set_index(list(keys.values()))["batch_carbon_g"]
    ref = base.reindex(pd.MultiIndex.from_frame(g[list(keys.values())]) if len(keys) > 1
                       else g[list(keys.values())[0]]).to_numpy()
    g["saving"] = 1 - g["batch_carbon_g"] / ref
    g["bound"] = 1 - g["oracle_batch_carbon_g"] / ref
    return data, g, c.policy_colors(data.policies)


MARKERS = ["o", "s", "^", "D", "v", "P", "X"]


def style(i):
    """Marker and size of the i-th plotted policy: earlier ones bigger and hollow-able, so
    policies on top of each other (carbon-scaler and oracle sit on the bound) all show."""
    return {"marker": MARKERS[i % len(MARKERS)], "markersize": 8 - 1.2 * min(i, 4), "linewidth": 1.6}


def others(data):
    return [p for p in data.policies if p != BASELINE]


def title_of(data, what):
    return f"{data.name}: {what}\nbatch jobs' dynamic carbon only (idle power excluded), vs {BASELINE}"


# ---------------------------------------------------------------- 1. zones

def plot_zones(args):
    data, g, colors = sweep_frame(args.dir)
    zones = list(dict.fromkeys(g.zone))
    pols = others(data)
    fig, ax = c.plt.subplots(figsize=(max(7.5, 1.25 * len(zones) + 2), 4.6))
    x = np.arange(len(zones))
    width = 0.8 / len(pols)
    for i, p in enumerate(pols):
        s = g[g.policy == p].set_index("zone")["saving"].reindex(zones)
        ax.bar(x + (i - (len(pols) - 1) / 2) * width, s, width, label=p, color=colors[p],
               edgecolor="white", linewidth=0.4)
    # The bound spans the whole group: a black bar-wide line, so it reads as a ceiling.
    b = g[g.policy == BASELINE].set_index("zone")["bound"].reindex(zones)
    ax.hlines(b, x - 0.43, x + 0.43, colors="black", linewidth=2, label=BOUND, zorder=5)
    for xi, v in zip(x, b):
        ax.annotate(f"{100 * v:.1f}%", (xi, v), xytext=(0, 3), textcoords="offset points", ha="center",
                    va="bottom", fontsize=8.5)
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.set_xticks(x)
    ax.set_xticklabels(zones)
    ax.grid(axis="x", visible=False)
    ax.yaxis.set_major_formatter(PCT)
    ax.set_ylabel(f"batch-carbon saving vs {BASELINE}")
    ax.set_xlabel("zone")
    ax.set_title(title_of(data, job_text(data)))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    return data, fig


def job_text(data):
    """'daily job' etc. from the experiment name is too terse; the point's run.json knows the job."""
    try:
        pts = os.path.join(data.path, "points")
        first = min(d for d in os.listdir(pts) if d.isdigit())
        w = c.read_json(os.path.join(pts, first, "run.json"))["config"]["workload"]
        hours = float(w["items"]) * 0.511e-3 / 3600  # cost model: 0.511 ms a ResNet-50 frame on a T4
        return (f"{w.get('model', '?')} batch job every {w.get('every', '?')}, ~{hours:.0f} h on 1 worker, "
                f"deadline {w.get('deadline', '?')}, ≤{c.value_text(w.get('max_workers', '?'))} workers")
    except (OSError, ValueError, KeyError, TypeError, c.InputProblem):
        return "batch-carbon saving per zone"


# ---------------------------------------------------------------- 2. slack

DURATION_UNITS = {"s": 1, "min": 60, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text):
    """Seconds of '20h', '1.5d', '30min', '90s' (a bare number is seconds)."""
    m = re.fullmatch(r"\s*([0-9.]+)\s*(s|min|m|h|d)?\s*", str(text))
    if not m:
        raise c.InputProblem(f"cannot parse duration '{text}' (expected e.g. 20h, 7d, 30min)")
    return float(m.group(1)) * DURATION_UNITS[m.group(2) or "s"]


def slack_text(seconds):
    if seconds <= 0:
        return "0"
    for unit, n in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= max(n, 2 * 86400 if unit == "d" else 0) and (seconds % n == 0 or unit == "min"):
            return f"{seconds / n:g} {unit}"
    return f"{seconds / 3600:.2g} h"


def plot_slack(args):
    data, g, colors = sweep_frame(args.dir, "deadline")
    length = parse_duration(args.length)
    g["slack_s"] = [parse_duration(v) - length for v in g.x]
    zones = list(dict.fromkeys(g.zone))
    slacks = sorted(set(g.slack_s))
    pols = others(data)
    ncol = min(4, len(zones))
    nrow = -(-len(zones) // ncol)
    fig, axes = c.plt.subplots(nrow, ncol, figsize=(3.2 * ncol, 2.9 * nrow + 0.8), sharey=True, squeeze=False)
    # Categorical x: the slacks are 0, 1 h, 6 h, 24 h, 7 d, i.e. roughly geometric with a zero,
    # which a symlog axis would crowd at the left.
    pos = {s: i for i, s in enumerate(slacks)}
    for ax, z in zip(axes.flat, zones):
        rows = g[g.zone == z].sort_values("slack_s")
        xs = [pos[s] for s in rows[rows.policy == BASELINE].slack_s]
        ax.plot(xs, rows[rows.policy == BASELINE]["bound"], "k--", linewidth=1.4, label=BOUND, zorder=6)
        for i, p in enumerate(pols):
            r = rows[rows.policy == p]
            ax.plot([pos[s] for s in r.slack_s], r["saving"], color=colors[p], label=p, **style(i))
        ax.axhline(0, color="0.3", linewidth=0.8)
        ax.set_title(z)
        ax.set_xticks(range(len(slacks)))
        ax.set_xticklabels([slack_text(s) for s in slacks])
        ax.yaxis.set_major_formatter(PCT)
    for ax in axes.flat[len(zones):]:
        ax.set_visible(False)  # the legend goes in the first spare cell when there is one
    for ax in axes[:, 0]:
        ax.set_ylabel(f"saving vs {BASELINE}")
    for ax in axes[-1, :]:
        ax.set_xlabel(f"slack (deadline − {slack_text(length)})")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if len(zones) < nrow * ncol:
        spare = axes.flat[len(zones)]
        spare.set_visible(True)
        spare.axis("off")
        spare.legend(handles, labels, loc="center", frameon=False)
    else:
        # Old matplotlib has no loc="outside ...": an axes legend beside the last panel, which
        # constrained layout makes room for.
        axes[0, -1].legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)
    fig.suptitle(title_of(data, f"saving vs slack (job of {slack_text(length)} on 1 worker)"))
    return data, fig


# ---------------------------------------------------------------- 3. forecast

def forecast_label(text):
    """'perfect', 'persistence', or 'noisy 2%' from `{type: noisy, mape_1h: 0.02, mape_48h: 0.1}`."""
    t = str(text).strip()
    m = re.search(r"mape_1h\s*:\s*([0-9.eE+-]+)", t)
    if "noisy" in t and m:
        return f"noisy\n{100 * float(m.group(1)):g}% (1 h)"
    kind = re.search(r"type\s*:\s*([A-Za-z_-]+)", t)
    return kind.group(1) if kind else t


def plot_forecast(args):
    data, g, colors = sweep_frame(args.dir, "forecast")
    zones = list(dict.fromkeys(g.zone))
    fcs = list(dict.fromkeys(g.x))
    pols = others(data)
    fig, axes = c.plt.subplots(2, len(zones), figsize=(4.6 * len(zones) + 1.8, 6.2), sharex=True,
                               sharey="row", squeeze=False)
    xs = np.arange(len(fcs))
    for j, z in enumerate(zones):
        rows = g[g.zone == z].set_index("x")
        top, bottom = axes[0, j], axes[1, j]
        top.plot(xs, rows[rows.policy == BASELINE]["bound"].reindex(fcs), "k--", linewidth=1.4, label=BOUND,
                 zorder=6)
        for i, p in enumerate(pols):
            r = rows[rows.policy == p].reindex(fcs)
            top.plot(xs, r["saving"], color=colors[p], label=p, **style(i))
            bottom.plot(xs, r["regret_vs_oracle"], color=colors[p], label=p, **style(i))
        top.set_title(z)
        for ax in (top, bottom):
            ax.yaxis.set_major_formatter(PCT)
            ax.axhline(0, color="0.3", linewidth=0.8)
        bottom.set_xticks(xs)
        bottom.set_xticklabels([forecast_label(f) for f in fcs], fontsize=8.5)
    axes[0, 0].set_ylabel(f"saving vs {BASELINE}")
    axes[1, 0].set_ylabel("regret vs oracle bound")
    fig.supxlabel("forecast the policies plan on (noisy: mean absolute error 1 h ahead, 5× that at 48 h)",
                  fontsize=FONT["axes.labelsize"])
    handles, labels = axes[0, 0].get_legend_handles_labels()
    axes[0, -1].legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)
    fig.suptitle(title_of(data, "forecast error"))
    return data, fig


# ---------------------------------------------------------------- 4. schedule

def busy_curve(start, end, t0, t1):
    """(x in hours from t0, workers busy) step points over [t0, t1] from requests running
    [start, end): +1 at each start, -1 at each end, exact whatever the request length. Times are
    rounded to 1 ms (requests.csv has ms/us decimals, so a request's end and the next one's start on
    the same worker differ in the last bits) and the events of one instant are merged into one
    step: back-to-back requests do not draw a dip to zero busy workers."""
    t = np.round(np.concatenate([start, end]), 3)
    d = np.concatenate([np.ones(len(start)), -np.ones(len(end))])
    times, inverse = np.unique(t, return_inverse=True)
    level = np.cumsum(np.bincount(inverse, weights=d))  # busy from each distinct instant on
    before = times < t0
    initial = level[before][-1] if before.any() else 0.0
    inside = (times >= t0) & (times < t1)
    xs = np.concatenate([[t0], times[inside], [t1]])
    ys = np.concatenate([[initial], level[inside], [level[inside][-1] if inside.any() else initial]])
    return (xs - t0) / 3600, ys


def plot_schedule(args):
    data = c.open_dir(args.dir)
    if data.kind != "run":
        raise c.InputProblem(f"{args.dir}: not a run directory (no comparison.csv)")
    try:
        start = pd.Timestamp(str(data.run.get("start_utc") or data.run["config"]["carbon"]["start"]))
        day = pd.Timestamp(args.day, tz="UTC")
    except (KeyError, TypeError, ValueError) as e:
        raise c.InputProblem(f"{args.dir}: cannot place --day {args.day} in the run ({e})")
    t0 = (day - start).total_seconds()
    t1 = t0 + 86400
    pols = data.policies
    colors = c.policy_colors(pols)
    fig, axes = c.plt.subplots(len(pols), 1, figsize=(9, 1.55 * len(pols) + 1.2), sharex=True, squeeze=False)
    ymax = 1
    zone = "?"
    for ax, p in zip(axes[:, 0], pols):
        req = data.requests(p, ["arrival_s", "wait_ms", "latency_ms", "status", "source"])
        if req is None:
            raise c.InputProblem(f"{os.path.join(args.dir, p)}: no requests.csv (output.requests: false?)")
        req = req[(req.status.astype(str) == "completed") & (req.source.astype(str) == args.source)]
        s = req.arrival_s.to_numpy() + req.wait_ms.to_numpy() / 1000
        e = req.arrival_s.to_numpy() + req.latency_ms.to_numpy() / 1000
        xs, ys = busy_curve(s, e, t0, t1)
        ymax = max(ymax, ys.max())
        ax.step(xs, ys, where="post", color=colors[p], linewidth=1.4)
        ax.fill_between(xs, ys, step="post", color=colors[p], alpha=0.25)
        ax.set_ylabel(f"{p}\nworkers busy", fontsize=9)
        # The intensity of the batch host's zone, on a twin axis (same curve in every row).
        ts = data.timeseries(p)
        if ts is None:
            raise c.InputProblem(f"{os.path.join(args.dir, p)}: no timeseries.csv (output.timeseries: false?)")
        h = ts[(ts.consumer.astype(str) == args.source) & (ts.kind.astype(str) == "host")]
        h = h[(h.t1_s > t0) & (h.t0_s < t1)]
        if h.empty:
            raise c.InputProblem(f"{args.dir}: no intensity of host '{args.source}' on {args.day}")
        zone = str(h.zone.iloc[0])
        ix = np.append(np.clip(h.t0_s.to_numpy(), t0, t1), min(h.t1_s.iloc[-1], t1))
        iy = np.append(h.intensity_g_per_kwh.to_numpy(), h.intensity_g_per_kwh.iloc[-1])
        tw = ax.twinx()
        tw.step((ix - t0) / 3600, iy, where="post", color="black", linewidth=1.1, alpha=0.75)
        tw.set_ylabel("gCO₂/kWh", fontsize=8.5)
        tw.grid(False)
    for ax in axes[:, 0]:
        ax.set_ylim(0, ymax + 0.5)
        ax.yaxis.set_major_locator(mticker.MaxNLocator(integer=True))
    ax = axes[-1, 0]
    ax.set_xlim(0, 24)
    ax.xaxis.set_major_locator(mticker.MultipleLocator(3))
    ax.set_xlabel(f"hour of {args.day} (UTC)")
    fig.suptitle(f"{data.name}, {args.day}: batch requests from {args.source} executing (coloured, left axis)\n"
                 f"and the grid intensity of its zone {zone} (black, right axis, gCO₂/kWh)")
    return data, fig


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("zones", "slack", "forecast"):
        sp = sub.add_parser(name, help=f"time_shifting_{name}.png from a sweep directory")
        sp.add_argument("dir", help="output directory of `carbonedge sweep`")
        sp.add_argument("--out", help="where to write the plot (default: DIR/plots)")
        if name == "slack":
            sp.add_argument("--length", default="20h", help="the job's one-worker length (default 20h)")
    sp = sub.add_parser("schedule", help="time_shifting_schedule.png from a run directory")
    sp.add_argument("dir", help="output directory of `carbonedge run`")
    sp.add_argument("--day", required=True, help="UTC day to show, YYYY-MM-DD")
    sp.add_argument("--source", default="edge-server", help="source of the batch requests (default edge-server)")
    sp.add_argument("--out", help="where to write the plot (default: DIR/plots)")
    args = ap.parse_args()
    make = {"zones": plot_zones, "slack": plot_slack, "forecast": plot_forecast, "schedule": plot_schedule}
    try:
        with c.matplotlib.rc_context(FONT):
            data, fig = make[args.cmd](args)
            files = c.save_figure(fig, args.out or os.path.join(args.dir, "plots"), f"time_shifting_{args.cmd}")
    except c.InputProblem as e:
        c.fail(str(e))
    except c.Skip as e:
        c.fail(f"{args.dir}: cannot make this plot: {e}")
    except (KeyError, ValueError, TypeError) as e:  # a column or field the files should have had
        c.fail(f"{args.dir}: malformed data: {type(e).__name__} {e}")
    for f in files:
        print(f"wrote {f}")


if __name__ == "__main__":
    main()
