"""Shared loading and saving for the carbonedge plot scripts (docs/plots.md).

A plot script gets a RunDir (output of `carbonedge run`) or a SweepDir (output of
`carbonedge sweep`), makes one figure and saves it as PNG and SVG through save_figure(), which
strips dates and fixes SVG ids so the same data gives byte-identical files. When the data cannot
support a plot the script raises Skip(reason); bad input raises InputProblem (exit code 2).
"""
import argparse
import json
import os
import sys
import zlib

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot
import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.ticker  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

# Same data -> same bytes: fixed SVG id salt, no creation dates, no version strings.
matplotlib.rcParams["svg.hashsalt"] = "carbonedge"
matplotlib.rcParams["svg.fonttype"] = "path"
matplotlib.rcParams["figure.dpi"] = 100
matplotlib.rcParams["savefig.dpi"] = 110  # ~100-150 kB PNGs, legible in a paper column
matplotlib.rcParams["axes.grid"] = True
matplotlib.rcParams["grid.alpha"] = 0.3
# Layout that leaves no empty band under titles and keeps labels and outside legends apart.
matplotlib.rcParams["figure.constrained_layout.use"] = True
matplotlib.rcParams["legend.framealpha"] = 0.85


class Skip(Exception):
    """The data does not support this plot (not an error: plot_all.py lists it as skipped)."""


class InputProblem(Exception):
    """DIR is not a carbonedge output directory, or a file in it is malformed."""


def read_csv(path, columns=None, dtype=None):
    """PATH as a DataFrame; PATH.gz is decompressed on the fly (compression="infer"). With columns,
    only those are parsed (the per-request tables of long runs have millions of rows: reading every
    column of requests.csv as Python strings took GBs) and a missing one is an InputProblem."""
    try:
        if columns is None:
            return pd.read_csv(path, dtype=dtype)
        wanted = list(columns)
        df = pd.read_csv(path, usecols=lambda c: c in wanted, dtype=dtype)
    except (OSError, EOFError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise InputProblem(f"{path}: cannot read CSV ({e})")
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        raise InputProblem(f"{path}: missing column(s) {', '.join(missing)}")
    return df[wanted]


def read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputProblem(f"{path}: cannot read JSON ({e})")


class RunDir:
    """OUT of `carbonedge run`: run.json, comparison.csv, <policy>/{summary.json,...} (docs/outputs.md)."""

    kind = "run"

    def __init__(self, path):
        self.path = path
        self.comparison = read_csv(os.path.join(path, "comparison.csv"))
        for col in ("policy", "gco2_per_inference", "latency_p95_ms"):
            if col not in self.comparison.columns:
                raise InputProblem(f"{os.path.join(path, 'comparison.csv')}: missing column '{col}'")
        self.policies = [str(p) for p in self.comparison["policy"]]
        run_json = os.path.join(path, "run.json")
        self.run = read_json(run_json) if os.path.exists(run_json) else {}
        self.name = self.run.get("name", os.path.basename(os.path.normpath(path)))
        self.start_utc = self.run.get("start_utc", "")

    def _policy_file(self, policy, name):
        return os.path.join(self.path, policy, name)

    def summary(self, policy):
        p = self._policy_file(policy, "summary.json")
        if not os.path.exists(p):
            raise InputProblem(f"{p}: missing (comparison.csv lists policy '{policy}')")
        return read_json(p)

    def _table(self, policy, name, columns=None, dtype=None):
        """<policy>/NAME or, with output.format: csv.gz, NAME.gz (pandas decompresses by the
        suffix) as a DataFrame of the given columns (all when None); None when the run wrote
        neither."""
        for p in (self._policy_file(policy, name), self._policy_file(policy, name + ".gz")):
            if os.path.exists(p):
                return read_csv(p, columns, dtype)
        return None

    def requests(self, policy, columns=None):
        """requests.csv as a DataFrame (only `columns` when given: read only what a plot needs), or
        None when the run did not write it. Its columns are per request (docs/outputs.md);
        `requested` is filled in from `model` where the file leaves it empty (the request named the
        variant that served it). Text columns are categorical (a few distinct values, millions of
        rows)."""
        dtype = {k: "category" for k in ("status", "requested", "model", "source", "hosts")}
        df = self._table(policy, "requests.csv", columns, dtype)
        if df is not None and "requested" in df.columns and "model" in df.columns:
            df["requested"] = df["requested"].astype(str).where(df["requested"].notna(), df["model"].astype(str))
        return df

    TIMESERIES_COLUMNS = ("consumer", "kind", "zone", "t0_s", "t1_s", "intensity_g_per_kwh", "energy_j",
                          "mean_power_w")

    def timeseries(self, policy):
        """timeseries.csv (the columns the plots use, text as categories), read once per policy:
        plots (c) and (e) share it."""
        cache = self.__dict__.setdefault("_ts_cache", {})
        if policy not in cache:
            dtype = {"consumer": "category", "kind": "category", "zone": "category"}
            cache[policy] = self._table(policy, "timeseries.csv", self.TIMESERIES_COLUMNS, dtype)
        return cache[policy]

    def requests_every(self):
        """output.requests_every of the run (requests.csv holds every k-th request), 1 if unset."""
        try:
            k = int(((self.run.get("config") or {}).get("output") or {}).get("requests_every", 1))
        except (TypeError, ValueError, AttributeError):
            k = 1
        return max(1, k)


class SweepDir:
    """OUT of `carbonedge sweep`: results.csv (point, <swept keys...>, seed, policy, policy_type, metrics)."""

    kind = "sweep"

    def __init__(self, path):
        self.path = path
        csv = os.path.join(path, "results.csv")
        self.results = read_csv(csv)
        cols = list(self.results.columns)
        for col in ("point", "seed", "policy", "policy_type"):
            if col not in cols:
                raise InputProblem(f"{csv}: missing column '{col}' (expected point, <keys>, seed, policy, policy_type, ...)")
        if cols[0] != "point" or cols.index("seed") < 1:
            raise InputProblem(f"{csv}: columns must start with point, <swept keys...>, seed")
        self.swept_keys = cols[1:cols.index("seed")]
        self.name = self._experiment_name() or os.path.basename(os.path.normpath(path))
        self.results["policy"] = self.results["policy"].astype(str)
        self.policies = list(dict.fromkeys(self.results["policy"]))
        self.axes = sweep_axes(self.results, self.swept_keys)

    def _experiment_name(self):
        """The experiment's `name:` from the first point's run.json (titles), or None."""
        points = os.path.join(self.path, "points")
        try:
            first = min(d for d in os.listdir(points) if d.isdigit())
            with open(os.path.join(points, first, "run.json"), encoding="utf-8") as f:
                name = json.load(f).get("name")
            return str(name) if name else None
        except (OSError, ValueError, json.JSONDecodeError, UnicodeDecodeError, AttributeError):
            return None

    def metric(self, name):
        if name not in self.results.columns:
            raise Skip(f"results.csv has no column '{name}'")
        return self.results[name]


def open_dir(path):
    """RunDir or SweepDir, by what the directory holds."""
    if not os.path.isdir(path):
        raise InputProblem(f"{path}: not a directory")
    if os.path.exists(os.path.join(path, "results.csv")):
        return SweepDir(path)
    if os.path.exists(os.path.join(path, "comparison.csv")):
        return RunDir(path)
    raise InputProblem(f"{path}: neither a run directory (comparison.csv) nor a sweep directory (results.csv)")


def save_figure(fig, out_dir, stem):
    """Writes OUT/stem.png and OUT/stem.svg atomically (temp + rename); returns their paths."""
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        final = os.path.join(out_dir, f"{stem}.{ext}")
        tmp = final + f".tmp-{os.getpid()}"
        fig.savefig(tmp, format=ext, metadata=meta)  # constrained layout: no "tight" pass needed
        os.replace(tmp, final)
        written.append(final)
        # The layout found for the PNG is kept for the SVG: constrained layout is a third of the
        # drawing time, and both files then show the same arrangement.
        if fig.get_layout_engine() is not None:
            fig.set_layout_engine("none")
    plt.close(fig)
    return written


class Written(list):
    """The files a plot wrote, plus one-line notes plot_all.py prints after them (e.g. flip points)."""

    def __init__(self, files, notes=()):
        super().__init__(files)
        self.notes = list(notes)


def policy_of_key(key, policies):
    """The policy label a swept key belongs to (policies.<label>.<...>), or None when it is global."""
    parts = key.split(".")
    if parts[0] == "policies" and len(parts) > 2 and parts[1] in policies:
        return parts[1]
    return None


def short_names(keys):
    """Legend names of swept keys: the last segment of the key path, or the whole key where two
    keys share a last segment."""
    last = [k.split(".")[-1] for k in keys]
    return {k: (n if last.count(n) == 1 else k) for k, n in zip(keys, last)}


def value_text(v):
    """A swept value for a label: numbers without a trailing .0, paths by file name."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    s = str(v)
    return os.path.splitext(os.path.basename(s))[0] if "/" in s else s


def sweep_axes(df, keys):
    """Groups swept keys into axes: keys whose values move together (a `zip:` of seven hosts'
    regions is one axis, not seven) are one axis. Two keys are on one axis when their values are in
    one-to-one correspondence over the rows; keys with a single value are left out. Returns
    [[key, ...]] in the order of the first key of each axis."""
    varying = [k for k in keys if df[k].nunique(dropna=False) > 1]
    codes = {k: pd.factorize(df[k].astype(str))[0] for k in varying}
    axes = []
    for k in varying:
        for axis in axes:
            a = codes[axis[0]]
            n_pairs = len(set(zip(a.tolist(), codes[k].tolist())))
            if n_pairs == len(set(a.tolist())) == len(set(codes[k].tolist())):
                axis.append(k)
                break
        else:
            axes.append([k])
    return axes


def axis_names(axes):
    """{first key of an axis: its name in labels}. One key: its short name (short_names). A zip:
    the last segment of its first key when every key's last segment ends with it (`region` for
    `platform.hosts.<h>.region` and `platform.default_region`), else that segment and `+N`."""
    firsts = short_names([a[0] for a in axes])
    out = {}
    for a in axes:
        if len(a) == 1:
            out[a[0]] = firsts[a[0]]
            continue
        last = a[0].split(".")[-1]
        if all(k.split(".")[-1].endswith(last) for k in a):
            out[a[0]] = last
        else:
            out[a[0]] = f"{last}+{len(a) - 1}"
    # Two axes with the same name: the whole first key.
    names = list(out.values())
    return {k: (n if names.count(n) == 1 else k) for k, n in out.items()}


def axis_of(key, axes):
    for a in axes:
        if key in a:
            return a
    return [key]


def axis_value_text(row_values):
    """Label text of one axis at one row: the shared value, or the distinct values joined by '/'."""
    texts = list(dict.fromkeys(value_text(v) for v in row_values))
    return "/".join(texts)


def axis_title(key, axes):
    """Axis label for plots along `key`: its axis name, with how many keys a zip moved together."""
    a = axis_of(key, axes)
    name = axis_names(axes).get(a[0], short_names([key])[key])
    return name if len(a) == 1 else f"{name} ({len(a)} zipped keys)"


def sweep_series(df, swept_keys, exclude=()):
    """Splits sweep rows into series: one per policy and combination of the values of the other
    swept axes (sweep_axes: zipped keys are one axis; the axes of the keys in exclude are left out)
    that can change that policy's result. A key policies.<q>.<...> does not change policy p != q,
    so p's rows at its values are replicates like seeds, not series. Keys with a single value are
    not series either. Labels name each axis by its short name (`ce, units=kwh`, `cloud,
    region=DE`). Returns [(label, policy, rows)] in the order the rows appear in results.csv (the
    grid order), so the output does not depend on hashing."""
    policies = list(dict.fromkeys(df["policy"]))
    axes = [a for a in sweep_axes(df, swept_keys) if not any(k in exclude for k in a)]
    names = axis_names(axes)
    out = []
    for p in policies:
        rows = df[df["policy"] == p]
        mine = [a for a in axes if all(policy_of_key(k, policies) in (None, p) for k in a)]
        if not mine:
            out.append((p, p, rows))
            continue
        keys = [k for a in mine for k in a]
        combos = list(dict.fromkeys(zip(*[rows[k] for k in keys])))
        for combo in combos:
            mask = True
            for k, v in zip(keys, combo):
                mask = mask & ((rows[k] == v) | (rows[k].isna() & pd.isna(v)))  # NaN != NaN
            vals = dict(zip(keys, combo))
            label = p + ", " + ", ".join(f"{names[a[0]]}={axis_value_text([vals[k] for k in a])}" for a in mine)
            out.append((label, p, rows[mask]))
    return out


def replicate_note(df):
    """'mean over N seeds' for titles: what the plotted means average over."""
    n = df["seed"].nunique()
    return f"mean over {n} seeds" if n > 1 else "one seed"


# One fixed colour per policy in every figure: tab10 without its grey (grey and black are for
# curves every policy shares, such as the carbon intensity), then four darker tones for runs with
# more than nine policies.
MAIN_COLORS = [c for i, c in enumerate(plt.get_cmap("tab10").colors) if i != 7]
EXTRA_COLORS = ["#393b79", "#637939", "#8c6d31", "#843c39"]


def policy_colors(policies):
    """{policy label: colour}, the same in every figure of a run or sweep and, for the same set of
    labels, in every run: labels in sorted order, each takes the MAIN_COLORS slot of a hash of its
    name (crc32, not Python's salted hash), or the next free one; past nine policies, the
    EXTRA_COLORS, then the cycle again. So a policy keeps its colour whatever order the policies
    are listed or plotted in."""
    out, taken = {}, set()
    n = len(MAIN_COLORS)
    for i, p in enumerate(sorted(dict.fromkeys(str(p) for p in policies))):
        if i >= n:
            out[p] = (EXTRA_COLORS + MAIN_COLORS)[(i - n) % (n + len(EXTRA_COLORS))]
            continue
        slot = zlib.crc32(p.encode("utf-8")) % n
        while slot in taken:
            slot = (slot + 1) % n
        taken.add(slot)
        out[p] = MAIN_COLORS[slot]
    return out


def shade(color, t):
    """color darkened (t < 0, towards black) or lightened (t > 0, towards white) by |t| in [0, 1]."""
    r, g, b = mcolors.to_rgb(color)
    if t < 0:
        return (r * (1 + t), g * (1 + t), b * (1 + t))
    return (r + (1 - r) * t, g + (1 - g) * t, b + (1 - b) * t)


def series_colors(series, all_policies):
    """{series label: colour} for [(label, policy, ...)]: a series has its policy's colour
    (policy_colors over all_policies, so it matches the run plots); several series of one policy
    get shades of it, darkest first."""
    base = policy_colors(all_policies)
    per_policy = {}
    for s in series:
        per_policy.setdefault(s[1], []).append(s[0])
    out = {}
    for p, labels in per_policy.items():
        n = len(labels)
        for i, label in enumerate(labels):
            t = 0.0 if n == 1 else -0.4 + 0.75 * i / (n - 1)
            out[label] = shade(base.get(p, MAIN_COLORS[0]), t)
    return out


def relative_span(values):
    """(max - min) / max |value| of the finite values, or None with fewer than two."""
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    if len(v) < 2 or np.abs(v).max() == 0:
        return None
    return float((v.max() - v.min()) / np.abs(v).max())


TINY_SPAN = 0.02  # policies within 2% of each other: say so, the axis would exaggerate it


def tiny_span_note(values, what="values"):
    """A line for the figure when `values` differ by less than TINY_SPAN of their size (typically
    total carbon, where idle power dominates), else None."""
    span = relative_span(values)
    if span is None or span >= TINY_SPAN:
        return None
    return f"{what} differ by only {100 * span:.2g}%: idle power dominates (see dynamic)"


def note_on_axes(ax, text, points=()):
    """A boxed note in the corner of the axes with the fewest of `points` (data coordinates) under
    it, so it does not cover data; call after the data and scales are set."""
    ax.autoscale_view()
    to_axes = ax.transData + ax.transAxes.inverted()
    xy = to_axes.transform(np.asarray(points, dtype=float)) if len(points) else np.zeros((0, 2))
    corners = [(0.98, 0.97, "right", "top"), (0.02, 0.97, "left", "top"), (0.98, 0.03, "right", "bottom"),
               (0.02, 0.03, "left", "bottom")]

    def covered(corner):
        x, y, ha, va = corner
        in_x = xy[:, 0] > 0.45 if ha == "right" else xy[:, 0] < 0.55
        in_y = xy[:, 1] > 0.72 if va == "top" else xy[:, 1] < 0.28
        return int(np.sum(in_x & in_y))

    box = {"boxstyle": "round,pad=0.3", "facecolor": "lightyellow", "edgecolor": "0.6", "alpha": 0.95}
    best = min(corners, key=covered)  # first of the least covered: deterministic
    if covered(best) > 0:  # every corner has data: above the axes instead
        ax.set_title(text, loc="right", fontsize=7.5, color="0.15", bbox=box)
        return
    x, y, ha, va = best
    ax.text(x, y, text, transform=ax.transAxes, ha=ha, va=va, fontsize=7.5, color="0.15", bbox=box, zorder=10)


def spans_decades(values, ratio=10.0):
    """True when the positive finite values span at least `ratio` (max/min): draw them on a log axis."""
    v = np.asarray([x for x in values if x is not None and np.isfinite(x) and x > 0], dtype=float)
    return len(v) >= 2 and v.max() / v.min() >= ratio


def log_if_decades(ax, values, axis="y", ratio=10.0):
    """Log scale on `axis` when the values span decades (and are all positive); True if set."""
    v = [x for x in values if x is not None and np.isfinite(x)]
    if v and min(v) > 0 and spans_decades(v, ratio):
        (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
        # Label some minor ticks (2, 3, 5 ×10^k) when the axis spans under ~1.3 decades, else a
        # log axis can show a single labelled tick.
        (ax.yaxis if axis == "y" else ax.xaxis).set_minor_formatter(
            matplotlib.ticker.LogFormatterSciNotation(labelOnlyBase=False, minor_thresholds=(1.3, 0.5)))
        return True
    return False


def wrap_label(text, width=18):
    """A tick label broken at spaces, '@', ',' so long names stack instead of overlapping."""
    if len(text) <= width:
        return text
    out, line = [], ""
    for word in text.replace(" @ ", " @\u00a0").split(" "):
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    out.append(line)
    return "\n".join(out)


def time_bins(t0, t1, max_bins):
    """A round bin width in seconds (1 min ... 1 week) giving at most max_bins over [t0, t1]."""
    span = max(t1 - t0, 1.0)
    for w in (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400):
        if span / w <= max_bins:
            return w
    return span / max_bins


def bin_text(width_s):
    for w, t in ((60, "1 min"), (300, "5 min"), (900, "15 min"), (1800, "30 min"), (3600, "1 h"),
                 (3 * 3600, "3 h"), (6 * 3600, "6 h"), (86400, "1 day"), (7 * 86400, "1 week")):
        if width_s == w:
            return t
    return f"{width_s / 3600:.3g} h"


def step_series(t0, t1, values, energy=None, max_points=2000):
    """(xs in hours, ys) of a step curve over the intervals [t0, t1) with `values`, for
    ax.step(where='post'). Above max_points intervals, they are merged into round time bins: each
    bin's value is the time-weighted mean (or Σ energy / Σ duration when energy is given, i.e.
    mean power), so a 3-year hourly series draws as ~1000 daily steps. Returns (xs, ys, bin width
    in seconds or None)."""
    t0 = np.asarray(t0, dtype=float)
    t1 = np.asarray(t1, dtype=float)
    v = np.asarray(values, dtype=float)
    width = None
    if len(t0) > max_points:
        width = time_bins(t0.min(), t1.max(), max_points)
        b = np.floor(t0 / width).astype(np.int64)
        dur = t1 - t0
        num = np.bincount(b, weights=(np.asarray(energy, dtype=float) if energy is not None else v * dur))
        den = np.bincount(b, weights=dur)
        keep = den > 0
        idx = np.nonzero(keep)[0]
        t0 = idx * width
        v = num[keep] / den[keep]
        t1 = np.minimum((idx + 1) * width, t1.max())
    xs = np.append(t0, t1[-1]) / 3600.0
    ys = np.append(v, v[-1])
    return xs, ys, width


def hours_label(start_utc):
    return f"hours since {start_utc}" if start_utc else "simulated time (h)"


def time_axis(ax, span_hours, start_utc):
    """Labels a time axis drawn in hours: hours up to 5 days, else ticks and label in days (a
    3-year run reads 0..1095 days, not 0..26280 hours)."""
    if span_hours <= 120:
        ax.set_xlabel(hours_label(start_utc))
        return
    days = span_hours / 24.0
    step = next((d for d in (1, 2, 5, 7, 14, 30, 60, 90, 180, 365, 730) if days / d <= 12), days / 12)
    ax.xaxis.set_major_locator(matplotlib.ticker.MultipleLocator(step * 24))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x / 24:g}"))
    ax.set_xlabel(f"days since {start_utc}" if start_utc else "simulated time (days)")


def arg_parser(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("dir", help="output directory of `carbonedge run` or `carbonedge sweep`")
    ap.add_argument("--out", help="where to write the plots (default: DIR/plots)")
    ap.add_argument("--x", dest="x_key", help="swept key for the weight-sweep plot (default: the key ending in w_C)")
    ap.add_argument("--region-key", help="swept key for the per-region plot (default: a key naming a region/zone)")
    return ap


def fail(msg, code=2):
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(code)


def main_single(make, description):
    """Entry point of one plot script run on its own: make its plot or say why it cannot."""
    args = arg_parser(description).parse_args()
    try:
        data = open_dir(args.dir)
        out = args.out or os.path.join(args.dir, "plots")
        files = make(data, out, args)
        for f in files:
            print(f"wrote {f}")
        for note in getattr(files, "notes", []):
            print(note)
    except InputProblem as e:
        fail(str(e))
    except Skip as e:
        fail(f"{args.dir}: cannot make this plot: {e}")
    except (KeyError, ValueError, TypeError) as e:  # a column or field the files should have had
        fail(f"{args.dir}: malformed data: {type(e).__name__} {e}")
