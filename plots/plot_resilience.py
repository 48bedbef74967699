#!/usr/bin/env python3
"""(f) Resilience under failures (`failures:`), one bar per policy in each of four panels, from
<policy>/summary.json (docs/outputs.md): the share of the requests arriving during failures that
were lost; the time to recovery (MTTR) — its median, and the median without the gap to the service's
next request (`recovery_p50`: the recovery as seen right after the failure); the accuracy given up during failures;
and the carbon of the replicas (held in memory and loaded) beside the run's total. Skipped for runs
without failures."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ce_plot_common as c  # noqa: E402

STEM = "f_resilience"


def _num(v):
    return float("nan") if v is None else float(v)


def make(data, out_dir, args):
    if data.kind != "run":
        raise c.Skip("needs a run directory; plot DIR/points/<NNNN> of the sweep")
    sums = {p: data.summary(p) for p in data.policies}
    if not any(s.get("requests_during_failures", 0) > 0 for s in sums.values()):
        raise c.Skip("no request arrived during a failure (no failures: section, or none drawn)")
    policies = list(sums)
    colors = c.policy_colors(data.policies)
    ys = list(range(len(policies)))
    fig, axes = c.plt.subplots(1, 4, figsize=(14, 1.0 + 0.55 * len(policies) + 1.2), sharey=True)

    lost = [100.0 * s["lost_during_failures"] / max(1, s["requests_during_failures"]) for s in sums.values()]
    axes[0].barh(ys, lost, color=[colors[p] for p in policies])
    axes[0].set_xlabel("lost during failures (% of their requests)")

    p50 = [_num(s["mttr_ms"]["p50"]) for s in sums.values()]
    own = [_num(s["mttr_ms"]["recovery_p50"]) for s in sums.values()]
    h = 0.38
    axes[1].barh([y - h / 2 for y in ys], p50, height=h, color=[colors[p] for p in policies], label="MTTR median")
    axes[1].barh([y + h / 2 for y in ys], own, height=h, color=[c.shade(colors[p], 0.55) for p in policies],
                 label="median without the gap to the next request")
    axes[1].set_xscale("log")
    axes[1].set_xlabel("time to recovery (ms, log)\ndark: median MTTR; light: without the gap to the next request")

    acc = [100.0 * _num(s.get("accuracy_loss_during_failures")) for s in sums.values()]
    axes[2].barh(ys, acc, color=[colors[p] for p in policies])
    axes[2].set_xlabel("accuracy given up during failures (% of top-1)")

    rep = [_num(s["replica_carbon_g"]) for s in sums.values()]
    axes[3].barh(ys, rep, color=[colors[p] for p in policies])
    for y, r, s in zip(ys, rep, sums.values()):
        axes[3].annotate(f" {100.0 * r / s['carbon_g']:.1f}% of {s['carbon_g']:.0f} g", (r, y), fontsize=7,
                         va="center")
    axes[3].set_xlabel("replica carbon: held + loaded (g)")
    axes[3].margins(x=0.45)

    axes[0].set_yticks(ys)
    axes[0].set_yticklabels(policies)
    axes[0].invert_yaxis()
    for ax in axes:
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"{data.name}: resilience and its carbon", fontsize=11)
    return c.save_figure(fig, out_dir, STEM)


if __name__ == "__main__":
    c.main_single(make, __doc__)
