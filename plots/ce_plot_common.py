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

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

# Same data -> same bytes: fixed SVG id salt, no creation dates, no version strings.
matplotlib.rcParams["svg.hashsalt"] = "carbonedge"
matplotlib.rcParams["svg.fonttype"] = "path"
matplotlib.rcParams["figure.dpi"] = 100
matplotlib.rcParams["savefig.dpi"] = 120
matplotlib.rcParams["axes.grid"] = True
matplotlib.rcParams["grid.alpha"] = 0.3


class Skip(Exception):
    """The data does not support this plot (not an error: plot_all.py lists it as skipped)."""


class InputProblem(Exception):
    """DIR is not a carbonedge output directory, or a file in it is malformed."""


def read_csv(path):
    try:
        return pd.read_csv(path)  # PATH.gz is decompressed on the fly (compression="infer")
    except (OSError, EOFError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise InputProblem(f"{path}: cannot read CSV ({e})")


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

    def _table(self, policy, name):
        """<policy>/NAME or, with output.format: csv.gz, NAME.gz (pandas decompresses by the
        suffix) as a DataFrame; None when the run wrote neither."""
        for p in (self._policy_file(policy, name), self._policy_file(policy, name + ".gz")):
            if os.path.exists(p):
                return read_csv(p)
        return None

    def requests(self, policy):
        """requests.csv as a DataFrame, or None when the run did not write it. Its columns are
        per request (docs/outputs.md); `requested` is filled in from `model` where the file leaves
        it empty (the request named the variant that served it)."""
        df = self._table(policy, "requests.csv")
        if df is not None and "requested" in df.columns:
            df["requested"] = df["requested"].fillna(df["model"])
        return df

    def timeseries(self, policy):
        return self._table(policy, "timeseries.csv")


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
        self.name = os.path.basename(os.path.normpath(path))
        self.results["policy"] = self.results["policy"].astype(str)

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
        fig.savefig(tmp, format=ext, metadata=meta, bbox_inches="tight")
        os.replace(tmp, final)
        written.append(final)
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


def sweep_series(df, swept_keys, exclude=()):
    """Splits sweep rows into series: one per policy and combination of the values of the other
    swept keys (not in exclude) that can change that policy's result. A key policies.<q>.<...> does
    not change policy p != q, so p's rows at its values are replicates like seeds, not series.
    Keys with a single value are not series either. Returns [(label, policy, rows)] in the order
    the rows appear in results.csv (the grid order), so the output does not depend on hashing."""
    policies = list(dict.fromkeys(df["policy"]))
    varying = [k for k in swept_keys if k not in exclude and df[k].nunique(dropna=False) > 1]
    names = short_names(varying)
    out = []
    for p in policies:
        rows = df[df["policy"] == p]
        keys = [k for k in varying if policy_of_key(k, policies) in (None, p)]
        if not keys:
            out.append((p, p, rows))
            continue
        combos = list(dict.fromkeys(zip(*[rows[k] for k in keys])))
        for combo in combos:
            mask = True
            for k, v in zip(keys, combo):
                mask = mask & ((rows[k] == v) | (rows[k].isna() & pd.isna(v)))  # NaN != NaN
            label = p + ", " + ", ".join(f"{names[k]}={value_text(v)}" for k, v in zip(keys, combo))
            out.append((label, p, rows[mask]))
    return out


def replicate_note(df):
    """'mean over N seeds' for titles: what the plotted means average over."""
    n = df["seed"].nunique()
    return f"mean over {n} seeds" if n > 1 else "one seed"


def series_colors(labels):
    cmap = plt.get_cmap("tab10")
    return {s: cmap(i % 10) for i, s in enumerate(labels)}


def policy_colors(policies):
    cmap = plt.get_cmap("tab10")
    return {p: cmap(i % 10) for i, p in enumerate(policies)}


def hours_label(start_utc):
    return f"hours since {start_utc}" if start_utc else "simulated time (h)"


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
