#!/usr/bin/env python3
"""Makes every plot the data in DIR supports (docs/plots.md) and says which it skipped and why.
DIR is the output of `carbonedge run` (run.json, comparison.csv, <policy>/...) or of
`carbonedge sweep` (results.csv, points/<NNNN>/...). Exit 0 when at least one plot was written,
2 on bad input or when no plot applies."""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ce_plot_common as c  # noqa: E402
import plot_batching  # noqa: E402
import plot_host_power  # noqa: E402
import plot_intensity_choice  # noqa: E402
import plot_llm  # noqa: E402
import plot_pareto  # noqa: E402
import plot_regions  # noqa: E402
import plot_resilience  # noqa: E402
import plot_weight_sweep  # noqa: E402

PLOTS = [
    ("a", "carbon per inference vs p95 latency", plot_pareto),
    ("b", "weight sweep", plot_weight_sweep),
    ("c", "carbon intensity and chosen model/host", plot_intensity_choice),
    ("d", "per-region comparison", plot_regions),
    ("e", "per-host power", plot_host_power),
    ("f", "resilience under failures", plot_resilience),
    ("g", "batching knee", plot_batching),
    ("h", "LLM service: quality, energy per token, TTFT/TPOT", plot_llm),
]


def main():
    ap = c.arg_parser(__doc__)
    ap.add_argument("--only", help="comma-separated subset of a,b,c,d,e,f,g,h")
    args = ap.parse_args()
    only = set(args.only.split(",")) if args.only else None
    if only and not only <= {tag for tag, _, _ in PLOTS}:
        c.fail(f"--only '{args.only}': expected letters among a,b,c,d,e,f,g,h")
    try:
        data = c.open_dir(args.dir)
    except c.InputProblem as e:
        c.fail(str(e))
    # Check the keys before writing anything, so a typo leaves no half set of plots.
    for flag, key in (("--x", args.x_key), ("--region-key", args.region_key)):
        if key and (data.kind != "sweep" or key not in data.swept_keys):
            c.fail(f"{args.dir}: {flag} '{key}' is not a swept key of a sweep directory "
                   f"(swept: {', '.join(getattr(data, 'swept_keys', [])) or 'none'})")
    out = args.out or os.path.join(args.dir, "plots")
    # Plots are drawn into OUT.partial-<pid> and moved into OUT only when every applicable plot
    # succeeded: a malformed file in DIR leaves OUT as it was.
    stage = os.path.normpath(out) + f".partial-{os.getpid()}"
    written, skipped = [], 0
    print(f"{args.dir}: {data.kind} directory; plots in {out}/")
    try:
        for tag, title, module in PLOTS:
            if only and tag not in only:
                continue
            try:
                files = module.make(data, stage, args)
            except c.Skip as e:
                print(f"  ({tag}) {title}: skipped — {e}")
                skipped += 1
                continue
            except (KeyError, ValueError, TypeError) as e:  # a column or field the files should have had
                raise c.InputProblem(f"{args.dir}: malformed data for plot ({tag}): {type(e).__name__} {e}")
            written += files
            print(f"  ({tag}) {title}: " + ", ".join(os.path.basename(f) for f in files))
            for note in getattr(files, "notes", []):
                print(f"      {note}")
        if not written:
            raise c.InputProblem(f"{args.dir}: no plot applies to this directory ({skipped} skipped)")
        os.makedirs(out, exist_ok=True)
        for f in written:
            os.replace(f, os.path.join(out, os.path.basename(f)))
    except c.InputProblem as e:
        c.fail(str(e))
    finally:
        shutil.rmtree(stage, ignore_errors=True)


if __name__ == "__main__":
    main()
