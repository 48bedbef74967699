#!/usr/bin/env python3
"""(h) LLM service: per policy, quality (MMLU: mean_top1) against the dynamic energy per output
token — or, when every policy serves the same quality, the run's carbon per output token (idle
included) against it — and the time to first token and per output token (p50 bars, p95 whiskers,
log scale). A run
directory gives one column; a sweep directory one column per combination of its swept axes (e.g. the
trace), mean over seeds. Needs completed language-model requests (summary.json `llm.*`,
docs/inputs.md "LLM serving")."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ce_plot_common as c  # noqa: E402

STEM = "h_llm"
FIELDS = {"completed": "llm.requests_completed", "j_per_token": "llm.dynamic_energy_per_token_j",
          "g_per_token": "llm.carbon_per_token_g",
          "top1": "mean_top1", "ttft50": "llm.ttft_ms.p50", "ttft95": "llm.ttft_ms.p95",
          "tpot50": "llm.tpot_ms.p50", "tpot95": "llm.tpot_ms.p95"}


def run_rows(data):
    """[(policy, {field: value})] from each policy's summary.json."""
    rows = []
    for p in data.policies:
        s = data.summary(p)
        flat = {}
        for name, key in FIELDS.items():
            v = s
            for part in key.split("."):
                v = v.get(part) if isinstance(v, dict) else None
            flat[name] = float("nan") if v is None else float(v)
        rows.append((p, flat))
    return [("", rows)]


def sweep_rows(data):
    """[(panel title, [(policy, {field: mean over seeds})])], one panel per swept combination."""
    df = data.results
    missing = [k for k in FIELDS.values() if k not in df.columns]
    if missing:
        raise c.Skip(f"results.csv has no {', '.join(missing)}")
    keys = list(data.swept_keys)
    names = c.short_names(keys)
    panels = []
    groups = df.groupby(keys if len(keys) > 1 else keys[0], sort=False) if keys else [((), df)]
    for kv, g in groups:
        kv = kv if isinstance(kv, tuple) else (kv,)
        title = ", ".join(f"{names[k]} = {os.path.basename(c.value_text(v))}" for k, v in zip(keys, kv))
        rows = []
        for p in dict.fromkeys(g["policy"]):
            sel = g[g["policy"] == p]
            rows.append((p, {name: float(sel[key].mean()) for name, key in FIELDS.items()}))
        panels.append((title, rows))
    return panels


def make(data, out_dir, args):
    panels = run_rows(data) if data.kind == "run" else sweep_rows(data)
    panels = [(t, [r for r in rows if r[1]["completed"] > 0]) for t, rows in panels]
    panels = [(t, rows) for t, rows in panels if rows]
    if not panels:
        raise c.Skip("no completed language-model requests (llm.requests_completed = 0)")
    colors = c.policy_colors(data.policies)
    fig, axes = c.plt.subplots(3, len(panels), figsize=(4.6 * len(panels) + 0.6, 10), squeeze=False,
                               layout="constrained")
    for col, (title, rows) in enumerate(panels):
        ax_q, ax_f, ax_t = axes[0][col], axes[1][col], axes[2][col]
        if title:
            ax_q.set_title(title, fontsize=10)
        tops = [r["top1"] for _, r in rows]
        same_quality = max(tops) - min(tops) < 0.01
        y = "mg_per_token" if same_quality else "top1"
        for _, r in rows:
            r["mg_per_token"] = 1e3 * r["g_per_token"]
        for i, (p, r) in enumerate(rows):
            ax_q.scatter(r["j_per_token"], r[y], color=colors[p], s=45, zorder=3)
            # Alternate labels above and below: policies close in energy stay readable.
            ax_q.annotate(p, (r["j_per_token"], r[y]), textcoords="offset points", xytext=(5, 5 if i % 2 == 0 else -11),
                          fontsize=8)
        ax_q.margins(x=0.18, y=0.12)  # room for the labels right of the points
        ax_q.set_xlabel("dynamic energy per output token (J)")
        if same_quality:
            ax_q.set_ylabel("carbon per output token, idle included (mg)")
            c.note_on_axes(ax_q, f"every policy serves MMLU {tops[0]:.1f} %", [(r["j_per_token"], r[y]) for _, r in rows])
        else:
            ax_q.set_ylabel("quality: mean MMLU of the served variants (%)")
        ax_q.grid(alpha=0.3)
        xs = range(len(rows))
        for ax, lo, hi, label in ((ax_f, "ttft50", "ttft95", "time to first token (ms)"),
                                  (ax_t, "tpot50", "tpot95", "time per output token (ms)")):
            for i, (p, r) in zip(xs, rows):
                ax.bar(i, r[lo], color=colors[p], width=0.6)
                ax.errorbar(i, r[lo], yerr=[[0], [max(0.0, r[hi] - r[lo])]], color="black", capsize=4, lw=1)
            ax.set_xticks(list(xs), [c.wrap_label(p, 12) for p, _ in rows], fontsize=8)
            ax.set_ylabel(label + "\np50 bar, p95 whisker")
            c.log_if_decades(ax, [r[k] for _, r in rows for k in (lo, hi)])
            ax.grid(axis="y", alpha=0.3)
    fig.suptitle(f"{data.name}: LLM service per policy", fontsize=11)
    return c.save_figure(fig, out_dir, STEM)


if __name__ == "__main__":
    c.main_single(make, __doc__)
