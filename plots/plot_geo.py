#!/usr/bin/env python3
"""Figures of the geographic ("Space") experiments:

  map    RUN_DIR [--platform FILE]  where each policy served its requests: every server site of the
         platform at its coordinates, coloured by the mean grid intensity its servers saw, sized by
         the share of the requests it served; a panel per policy (experiments/geo_cdn_*_week.yaml)
  budget SWEEP_DIR                 carbon saved against `nearest` and the one-way network latency
         added, vs the latency budget swept (experiments/geo_cdn_budget_*.yaml), one thin line per
         week sampled and their mean

A site's intensity is Σ carbon / Σ energy of its hosts over the run (per_host in summary.json), the
energy-weighted mean of its zone's trace: no trace needs reading. A site's share is its hosts'
`tasks` (stages executed) over all tasks. Savings are 1 - carbon / nearest's carbon of the same week:
total carbon (idle included, what powering servers off saves) and dynamic carbon (the requests' own
work, what placement alone saves). Writes DIR/plots/geo_<cmd>.png and .svg (--out, --stem to
change). Bad input: one line on stderr, exit code 2.
"""
import argparse
import fnmatch
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ce_plot_common as c  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import numpy as np  # noqa: E402

BASELINE = "nearest"
FONT = {"font.size": 10, "axes.titlesize": 10.5, "axes.labelsize": 10, "legend.fontsize": 9}
PCT = mticker.PercentFormatter(1.0, decimals=0)


# ---------------------------------------------------------------- map

def platform_path(run_dir, given):
    """The platform file: --platform, else the one run.json's experiment names (its `platform:`
    relative to the experiment file, the experiment relative to where the run was started, tried
    from the current directory and from the repository root)."""
    if given:
        if not os.path.isfile(given):
            raise c.InputProblem(f"{given}: no such platform file")
        return given
    run_json = os.path.join(run_dir, "run.json")
    meta = c.read_json(run_json)
    exp, plat = meta.get("experiment"), (meta.get("config") or {}).get("platform")
    if not isinstance(exp, str) or not isinstance(plat, str):
        raise c.InputProblem(f"{run_json}: no experiment/config.platform; give --platform FILE")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for base in (os.getcwd(), root):
        p = os.path.normpath(os.path.join(base, os.path.dirname(exp), plat))
        if os.path.isfile(p):
            return p
    raise c.InputProblem(f"{run_json}: platform '{plat}' of '{exp}' not found; give --platform FILE")


def read_sites(path):
    """[(name, lat, lon)] of the platform's sites that have coordinates."""
    import yaml  # only the map needs it
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        raise c.InputProblem(f"{path}: cannot read the platform: {e}".splitlines()[0])
    sites = []
    for s in (doc or {}).get("sites") or []:
        if isinstance(s, dict) and "lat" in s and "lon" in s and "name" in s:
            sites.append((str(s["name"]), float(s["lat"]), float(s["lon"])))
    if not sites:
        raise c.InputProblem(f"{path}: no site with lat/lon (the map needs a geographic platform)")
    return sites


def site_table(sites, per_host, patterns):
    """{site: [carbon_g, energy_j, tasks, candidates]} over the hosts named '<site>-...'; candidates
    counts the hosts the policy may use (its `hosts:` patterns; every host without them). Carbon
    and energy are of all the site's hosts: the same zone, so the same intensity."""
    names = sorted((n for n, _, _ in sites), key=len, reverse=True)  # longest prefix wins
    table = {n: [0.0, 0.0, 0, 0] for n, _, _ in sites}
    for host, h in per_host.items():
        site = next((n for n in names if host.startswith(n + "-")), None)
        if site is None:
            continue
        t = table[site]
        t[0] += float(h["carbon_g"])
        t[1] += float(h["energy_j"])
        t[2] += int(h["tasks"])
        t[3] += 1 if not patterns or any(fnmatch.fnmatchcase(host, pat) for pat in patterns) else 0
    return table


def host_patterns(data, policy):
    """The policy's `hosts:` patterns from run.json's config (empty: every host)."""
    conf = ((data.run.get("config") or {}).get("policies") or {}).get(policy) or {}
    pats = conf.get("hosts") if isinstance(conf, dict) else None
    return [str(x) for x in pats] if isinstance(pats, list) else []


def mass(g):
    """Grams as text in the unit that keeps it short."""
    for unit, scale in (("t", 1e6), ("kg", 1e3)):
        if abs(g) >= scale:
            return f"{g / scale:,.3g} {unit}"
    return f"{g:.3g} g"


def plot_map(args):
    data = c.open_dir(args.dir)
    if data.kind != "run":
        raise c.InputProblem(f"{args.dir}: not a run directory (no comparison.csv)")
    sites = read_sites(platform_path(args.dir, args.platform))
    policies = data.policies
    summaries = {p: data.summary(p) for p in policies}
    tables = {p: site_table(sites, summaries[p]["per_host"], host_patterns(data, p)) for p in policies}
    lat = np.array([s[1] for s in sites])
    lon = np.array([s[2] for s in sites])
    # Intensity of a site: the same trace whatever the policy, but energy differs; take the first
    # policy with energy there (nearest keeps every server on, so it has it everywhere).
    intensity = np.full(len(sites), np.nan)
    for i, (name, _, _) in enumerate(sites):
        for p in policies:
            carbon, energy, _, _ = tables[p][name]
            if energy > 0:
                intensity[i] = carbon / energy * 3.6e6
                break
    served = [i for i, (n, _, _) in enumerate(sites) if any(tables[p][n][3] for p in policies)]  # servers
    if not served:
        raise c.InputProblem(f"{args.dir}: no host of the platform's sites in summary.json's per_host")
    vmin, vmax = np.nanmin(intensity[served]), np.nanmax(intensity[served])
    cmap = c.plt.get_cmap("RdYlGn_r")
    n = len(policies)
    aspect = 1 / np.cos(np.radians(np.nanmean(lat)))  # degrees of longitude shrink with latitude
    # Panels wide enough for their titles, as tall as the region is on the map for that width.
    height = np.clip(4.6 * np.ptp(lat) * aspect / max(np.ptp(lon), 1e-9), 2.5, 6.5)
    fig, axes = c.plt.subplots(1, n, figsize=(4.9 * n + 1.2, height + 2.2), layout="constrained", squeeze=False,
                               sharex=True, sharey=True)
    sc = None
    for ax, p in zip(axes[0], policies):
        t = tables[p]
        tasks = np.array([t[s[0]][2] for s in sites], dtype=float)
        total = tasks.sum()
        share = tasks / total if total > 0 else tasks
        ax.scatter(lon[served], lat[served], s=6, c="none", edgecolors="0.6", linewidths=0.5, zorder=1)
        used = [i for i in served if share[i] > 0]
        order = sorted(used, key=lambda i: -share[i])  # big circles under small ones
        sc = ax.scatter(lon[order], lat[order], s=8 + 1400 * share[order], c=intensity[order], cmap=cmap,
                        vmin=vmin, vmax=vmax, edgecolors="black", linewidths=0.4, alpha=0.85, zorder=2)
        s = summaries[p]
        ref = summaries.get(BASELINE)
        lines = [f"{p}: {len(used)} of {len(served)} sites serve",
                 f"carbon {mass(s['carbon_g'])} (dynamic {mass(s['dynamic_carbon_g'])})",
                 f"network one-way mean {s['network_ms']['mean']:.3g} ms"]
        if ref and p != BASELINE and ref["carbon_g"] > 0:
            lines[1] += f", {100 * (s['carbon_g'] / ref['carbon_g'] - 1):+.1f}% vs {BASELINE}"
        ax.set_title("\n".join(lines), fontsize=9)
        ax.set_aspect(aspect)
        ax.set_xlabel("longitude (°)")
        ax.grid(True, linewidth=0.3, alpha=0.5)
    axes[0][0].set_ylabel("latitude (°)")
    fig.colorbar(sc, ax=axes[0].tolist(), shrink=0.8, label="mean grid intensity seen (gCO₂/kWh)")
    mid = axes[0][n // 2]
    for frac in (0.01, 0.1, 0.3):  # size key
        mid.scatter([], [], s=8 + 1400 * frac, c="white", edgecolors="black", label=f"{frac:.0%} of requests")
    mid.scatter([], [], s=6, c="none", edgecolors="0.6", linewidths=0.5, label="site not used")
    # One row under a wide (short) map, two under a tall one, clear of the longitude label.
    wide = height < 4
    mid.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2 if wide else -0.1), ncol=4 if wide else 2,
               frameon=False, fontsize=8)
    fig.suptitle(f"{data.name}: where each policy served its requests\n"
                 f"(circle area = share of the requests a site served, colour = its grid intensity)")
    return data, fig


# ---------------------------------------------------------------- budget

def ms_value(text):
    """'5ms' / '0.5s' / 5 -> milliseconds."""
    m = re.fullmatch(r"\s*([0-9.eE+-]+)\s*(ms|s)?\s*", str(text))
    if not m:
        raise c.InputProblem(f"latency budget '{text}' is not a duration like 5ms")
    v = float(m.group(1))
    return v * 1000 if m.group(2) == "s" else v


def plot_budget(args):
    data = c.open_dir(args.dir)
    if data.kind != "sweep":
        raise c.InputProblem(f"{args.dir}: not a sweep directory (no results.csv)")
    csv = os.path.join(args.dir, "results.csv")
    df = data.results
    budget_keys = [k for k in data.swept_keys if k.endswith("latency_budget")]
    if not budget_keys:
        raise c.InputProblem(f"{csv}: no swept '*.latency_budget' column")
    if BASELINE not in data.policies:
        raise c.InputProblem(f"{csv}: no policy '{BASELINE}' to measure savings against")
    for col in ("carbon_g", "dynamic_carbon_g", "network_ms.mean"):
        if col not in df.columns:
            raise c.InputProblem(f"{csv}: missing column '{col}'")
    week_key = next((k for k in data.swept_keys if k.endswith("carbon.start")), None)
    # A policy's budget is its own swept key (policies.<name>.latency_budget); zipped keys move
    # together, so every point has one budget, the first key's.
    df = df.copy()
    df["budget_ms"] = [ms_value(v) for v in df[budget_keys[0]]]
    df["week"] = df[week_key].astype(str).str[:10] if week_key else "run"
    df = df.groupby(["week", "budget_ms", "policy"], sort=False)[
        ["carbon_g", "dynamic_carbon_g", "network_ms.mean"]].mean().reset_index()
    base = df[df.policy == BASELINE].set_index(["week", "budget_ms"])
    others = [p for p in data.policies if p != BASELINE]
    colors = c.policy_colors(data.policies)
    fig, axes = c.plt.subplots(1, 3, figsize=(14, 4.6), layout="constrained")
    panels = [("carbon_g", "total carbon saved vs nearest\n(idle included)"),
              ("dynamic_carbon_g", "dynamic carbon saved vs nearest\n(the requests' own work)"),
              ("network_ms.mean", "one-way network latency added\nover nearest, mean (ms)")]
    for ax, (col, title) in zip(axes, panels):
        for p in others:
            d = df[df.policy == p].set_index(["week", "budget_ms"])
            ref = base.reindex(d.index)
            if col == "network_ms.mean":
                y = d[col] - ref[col]
            else:
                y = 1 - d[col] / ref[col]
            y = y.reset_index(name="y") if hasattr(y, "reset_index") else y
            for _, w in y.groupby("week", sort=False):
                ax.plot(w.budget_ms, w.y, color=colors[p], linewidth=0.7, alpha=0.45)
            m = y.groupby("budget_ms").y.mean()
            ax.plot(m.index, m.values, color=colors[p], marker="o", linewidth=2, label=f"{p} (mean)")
        if col == "network_ms.mean":
            lim = max(df["budget_ms"])
            ax.plot([0, lim], [0, lim], color="0.5", linestyle="--", linewidth=0.8, label="= budget")
        else:
            ax.yaxis.set_major_formatter(PCT)
        ax.set_title(title)
        ax.set_xlabel("latency budget (ms)")
        ax.set_xlim(left=0)
        ax.grid(True, linewidth=0.3, alpha=0.5)
    axes[0].legend(loc="best")
    axes[2].legend(loc="upper left")
    weeks = list(dict.fromkeys(df["week"]))
    fig.suptitle(f"{data.name}: carbon vs latency budget (the one-way latency a placement may add over the "
                 f"nearest site)\nthin lines: each of the {len(weeks)} runs starting {', '.join(weeks)}; thick: their mean")
    return data, fig


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sp = sub.add_parser("map", help="geo_map.png from a run directory")
    sp.add_argument("dir", help="output directory of `carbonedge run` on a platform with site coordinates")
    sp.add_argument("--platform", help="the platform YAML (default: the one run.json names)")
    sp.add_argument("--out", help="where to write the plot (default: DIR/plots)")
    sp.add_argument("--stem", default="geo_map", help="file name without extension (default geo_map)")
    sp = sub.add_parser("budget", help="geo_budget.png from a sweep directory")
    sp.add_argument("dir", help="output directory of `carbonedge sweep` over a latency_budget")
    sp.add_argument("--out", help="where to write the plot (default: DIR/plots)")
    sp.add_argument("--stem", default="geo_budget", help="file name without extension (default geo_budget)")
    args = ap.parse_args()
    make = {"map": plot_map, "budget": plot_budget}
    try:
        with c.matplotlib.rc_context(FONT):
            data, fig = make[args.cmd](args)
            files = c.save_figure(fig, args.out or os.path.join(args.dir, "plots"), args.stem)
    except c.InputProblem as e:
        c.fail(str(e))
    except c.Skip as e:
        c.fail(f"{args.dir}: cannot make this plot: {e}")
    except (KeyError, ValueError, TypeError, json.JSONDecodeError) as e:
        c.fail(f"{args.dir}: malformed data: {type(e).__name__} {e}")
    for f in files:
        print(f"wrote {f}")


if __name__ == "__main__":
    main()
