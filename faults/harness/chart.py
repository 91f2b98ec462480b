"""target/faults/report.html: a timeline drawn with matplotlib, IDs/s per
host (1 s bins) with each fault as a band over the hosts it hit, and the
summary table; one self-contained page (the chart inlined as PNG)."""

import base64
import html
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

COLORS = dict(partition="#e15759", split="#f28e2b", pause="#76b7b2", kill="#59a14f",
              clock_step="#edc948", etcd_member_kill="#b07aa1", redis_restart="#9c755f")


def write(path, rep, recs, hosts, t_start, t_end):
    n = max(1, int(np.ceil(t_end - t_start)))
    fig, axes = plt.subplots(len(hosts), 1, figsize=(14, 1.8 * len(hosts) + 1), sharex=True, squeeze=False)
    for ax, h in zip(axes[:, 0], hosts):
        for kind in ("http", "python", "segment"):
            rate = np.zeros(n)
            for r in recs:
                if r["meta"]["host"] != h or r["meta"]["kind"] != kind or not r["batches"]:
                    continue
                t = np.array([b["t1"] for b in r["batches"]]) - t_start
                w = np.array([b["n"] for b in r["batches"]], dtype=float)
                keep = (t >= 0) & (t < n)
                rate += np.bincount(t[keep].astype(int), weights=w[keep], minlength=n)[:n]
            ax.plot(np.arange(n), rate, label=f"{kind}", linewidth=1)
        for f in rep["faults"]:
            if h in f["hosts"] and f.get("heal"):
                ax.axvspan(f["start"] - t_start, f["heal"] - t_start, color=COLORS[f["kind"]], alpha=0.35, lw=0)
        ax.set_ylabel(f"{h}\nIDs/s")
        ax.set_ylim(bottom=0)
    axes[-1, 0].set_xlabel("seconds")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c, alpha=0.5) for c in COLORS.values()]
    lines, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(lines + handles, labels + list(COLORS), loc="upper center", ncol=8, frameon=False,
               bbox_to_anchor=(0.5, 0.955))
    fig.suptitle(f"seed {rep['seed']}: {rep['ids_checked']:,} IDs, {rep['duplicates']} duplicates, "
                 f"{rep['out_of_order']} out of order, {rep['fenced_issues']} fenced issues", y=0.995)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    png = base64.b64encode(buf.getvalue()).decode()
    rows = "".join(
        f"<tr><td>{k}</td><td>{v}</td><td>{rep['recovery'].get(k, {}).get('p50', '-')}</td>"
        f"<td>{rep['recovery'].get(k, {}).get('p99', '-')}</td></tr>" for k, v in rep["events"].items())
    avail = "".join(f"<tr><td>{h}</td>" + "".join(f"<td>{v.get(k, 0) * 100:.1f}%</td>" for k in ("any", "http", "python", "segment"))
                    + "</tr>" for h, v in rep["availability"].items())
    with open(path, "w") as f:
        f.write(f"""<!doctype html><meta charset="utf-8"><title>snowid fault run, seed {rep['seed']}</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:2px 10px;text-align:right}}</style>
<h1>snowid fault run</h1><p>{html.escape(f"seed {rep['seed']}, {rep['duration_s']} s, {rep['hosts']} hosts, {rep['processes']} processes")}</p>
<img alt="IDs per second per host, faults as bands" src="data:image/png;base64,{png}" style="max-width:100%">
<h2>Faults</h2><table><tr><th>kind</th><th>injected</th><th>recovery p50 s</th><th>p99 s</th></tr>{rows}</table>
<h2>Availability</h2><table><tr><th>host</th><th>any</th><th>http</th><th>python</th><th>segment</th></tr>{avail}</table>
""")
