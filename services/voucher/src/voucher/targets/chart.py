"""PNG chart of the dashboard: used vs target per district, issued and used vs the city goals."""

from __future__ import annotations

import io

from voucher.targets.rules import Dashboard


def render_png(dash: Dashboard, year: int) -> bytes:
    """Bars per district, labelled by district code (01–41): no CJK font is needed, so no missing glyphs.

    matplotlib is imported here, on the first chart, not at start-up: it alone is some 60 MB of resident
    memory that a voucher process serving scans never needs.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    codes = [d.code for d in dash.districts]
    fig, (ax, ax_city) = plt.subplots(
        2, 1, figsize=(14, 8), gridspec_kw={"height_ratios": [3, 1]}, constrained_layout=True
    )
    x = range(len(codes))
    ax.bar(
        [i - 0.2 for i in x],
        [d.target_used for d in dash.districts],
        width=0.4,
        label="target (used)",
        color="#c8d6e5",
    )
    ax.bar([i + 0.2 for i in x], [d.used for d in dash.districts], width=0.4, label="used", color="#2e86de")
    ax.plot(list(x), [d.claimed for d in dash.districts], "o", color="#ee5253", markersize=3, label="claimed")
    ax.set_xticks(list(x), codes, fontsize=7)
    ax.set_xlabel("district code")
    ax.set_ylabel("vouchers")
    ax.set_title(f"Training vouchers {year}: use per district against target (V-8)")
    ax.legend()
    labels = ["issued", "used"]
    goals = [dash.issue_goal, dash.use_goal]
    actual = [dash.issued, dash.used]
    ax_city.barh(labels, goals, color="#c8d6e5", label="goal")
    ax_city.barh(labels, actual, color="#10ac84", height=0.5, label="actual")
    for i, (a, g) in enumerate(zip(actual, goals, strict=True)):
        ax_city.text(max(a, g) * 1.01, i, f"{a:,} / {g:,}", va="center", fontsize=8)
    ax_city.set_title("City totals against goals")
    ax_city.legend(loc="lower right")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return buf.getvalue()
