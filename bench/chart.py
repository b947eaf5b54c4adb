"""The scaling chart of docs/benchmarks.md, drawn from bench/results.json (headless, Agg backend).

Run: ``.venv/bin/python -m bench.chart`` (options ``--results bench/results.json`` and
``--out docs/bench-scaling.png``). ``make bench`` installs matplotlib, a benchmark-only
dependency, and runs this after the benchmarks.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from bench.run_all import ids_word

ROOT = Path(__file__).resolve().parent.parent
STYLE = {
    "syncer": ("tab:blue", "o"),
    "app-sync": ("tab:red", "D"),
    "rewrite-all": ("tab:orange", "s"),
    "csv2notion": ("tab:green", "^"),
}
# Label offsets in points, so that the peers' nearly equal values do not overlap.
OFFSET = {"syncer": (4, 4), "app-sync": (4, -10), "rewrite-all": (-34, -12), "csv2notion": (-34, 6)}


def series(steps: list[dict[str, Any]], kind: str) -> dict[str, list[tuple[int, int, float]]]:
    """Per tool: (size, requests, wall seconds) of the drain or reconcile steps, by size."""
    found: dict[str, list[tuple[int, int, float]]] = {}
    for step in steps:
        wanted = (
            step["scenario"].startswith("drain of")
            if kind == "drain"
            else (step["scenario"] == "no-change reconcile")
        )
        if wanted:
            found.setdefault(step["tool"], []).append(
                (step["size"], step["requests"], step["wall_s"])
            )
    return {tool: sorted(points) for tool, points in found.items()}


def draw(results: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scaling = results["peers"]["scaling"]
    latency = scaling["latency_ms"]
    figure, axes = plt.subplots(2, 2, figsize=(11, 8), constrained_layout=True)
    panels = (
        ("drain", f"changed shifts (schedule of {scaling.get('drain_size', 2000):,})"),
        ("reconcile", "pages in Notion (no change)"),
    )
    for column, (kind, xlabel) in enumerate(panels):
        data = series(scaling["steps"], kind)
        for row, (index, ylabel) in enumerate(((1, "requests"), (2, "wall time (s)"))):
            ax = axes[row][column]
            for tool, points in data.items():
                colour, marker = STYLE.get(tool, ("black", "x"))
                xs = [p[0] for p in points]
                ys = [max(float(p[index]), 0.01 if index == 2 else 0.5) for p in points]
                ax.plot(xs, ys, marker=marker, color=colour, label=tool)
                labelled = list(zip(xs, ys, points, strict=True))
                if index == 1 and tool != "syncer":
                    labelled = labelled[-1:]  # the peers' counts nearly coincide: label the last
                for x, y, p in labelled:
                    label = f"{p[index]:,}" if index == 1 else f"{p[index]:.1f}"
                    ax.annotate(
                        label,
                        (x, y),
                        textcoords="offset points",
                        xytext=OFFSET.get(tool, (4, 4)) if index == 1 else (4, 4),
                        fontsize=7,
                    )
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            ax.grid(True, which="major", alpha=0.3)
            title = "drain after changes" if kind == "drain" else "no-change run / reconcile"
            ax.set_title(f"{title}: {ylabel}")
            ax.legend()
    figure.suptitle(
        f"Cost against size, per tool (sandbox at {latency} ms latency, no rate limit; "
        "0 requests drawn at 0.5, times under 0.01 s at 0.01)",
        fontsize=10,
    )
    figure.savefig(out, dpi=110)
    plt.close(figure)


PROBLEMS = re.compile(r"\d+ (?:missing|extra|duplicated|wrong|misplaced)")


def state_cell(step: dict[str, Any]) -> str:
    """yes, or NO with what the check found (counts of missing, duplicated, ... pages)."""
    if step["correct"] is not False:
        return {True: "yes", None: "-"}[step["correct"]]
    found = PROBLEMS.findall(step.get("detail", ""))
    return "**NO**" + (f": {', '.join(found)}" if found else "")


def compare_table(compare: dict[str, Any]) -> list[str]:
    lines = [
        f"Sandbox: {compare['latency_ms']} ± {compare['jitter_ms']} ms per request, rate limit "
        f"{compare['rate_limit']} s per token.",
        "",
        "| scenario | tool | requests (reads / writes) | wall | 429s | Notion state right "
        "| ids kept |",
        "|---|---|---|---|---|---|---|",
    ]
    order = list(dict.fromkeys(s["scenario"] for s in compare["steps"]))
    for step in sorted(compare["steps"], key=lambda s: order.index(s["scenario"])):
        lines.append(
            f"| {step['scenario']} ({step['size']} shifts) | {step['tool']} | "
            f"{step['requests']:,} ({step['reads']:,} / {step['writes']:,}) | "
            f"{step['wall_s']:.1f} s | {step['rate_limited']} | {state_cell(step)} | "
            f"{ids_word(step.get('ids_replaced'))} |"
        )
    for tool, reason in compare.get("skipped", {}).items():
        lines.append(f"| every scenario | {tool} | not run: {reason} | | | | |")
    return lines


def scaling_tables(scaling: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    tools = list(dict.fromkeys(s["tool"] for s in scaling["steps"]))
    for kind, heading in (
        ("drain", f"changed shifts (of {scaling.get('drain_size', 2000):,})"),
        ("reconcile", "pages"),
    ):
        data = series(scaling["steps"], kind)
        sizes = sorted({p[0] for points in data.values() for p in points})
        lines += [
            "",
            f"| {heading} | " + " | ".join(f"{t}: requests, wall" for t in tools) + " |",
            "|---:|" + "---|" * len(tools),
        ]
        for size in sizes:
            cells = []
            for tool in tools:
                point = next((p for p in data.get(tool, []) if p[0] == size), None)
                cells.append(f"{point[1]:,}, {point[2]:.1f} s" if point else "-")
            lines.append(f"| {size:,} | " + " | ".join(cells) + " |")
    return lines


def switch_table(switch: dict[str, Any]) -> list[str]:
    if switch.get("skipped"):
        return [f"The switch was not run: {switch['skipped']}."]
    outcome = switch["outcome"]
    lines = [
        f"The app left {switch['app_pages']:,} pages for {switch['shifts']:,} shifts "
        f"({switch['app_duplicates']} shifts with two). Sandbox: {switch['latency_ms']} ± "
        f"{switch['jitter_ms']} ms per request, rate limit {switch['rate_limit']} s per token.",
        "",
        "| syncer command | requests (reads / writes) | wall | 429s | result |",
        "|---|---|---|---|---|",
    ]
    for step in switch["steps"]:
        result = step["error"] or state_cell(step)
        lines.append(
            f"| `{step['scenario']}` | {step['requests']:,} ({step['reads']:,} / "
            f"{step['writes']:,}) | {step['wall_s']:.1f} s | {step['rate_limited']} | {result} |"
        )
    lines += [
        "",
        f"Afterwards: one page per shift {'yes' if outcome['one_page_per_shift'] else 'NO'}, "
        f"pages created {outcome['created']}, pages of the app's trashed {outcome['trashed']}, "
        f"plan exit {outcome['plan_exit']}.",
    ]
    return lines


def tables(results: dict[str, Any]) -> str:
    """The Markdown tables of docs/benchmarks.md, from the same results."""
    peers = results["peers"]
    renderers = (("compare", compare_table), ("scaling", scaling_tables), ("switch", switch_table))
    blocks = [
        "\n".join(render(peers[part])).strip() for part, render in renderers if peers.get(part)
    ]
    return "\n\n".join(blocks) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "bench-scaling.png")
    parser.add_argument("--tables", action="store_true", help="print the Markdown tables only")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text())
    if args.tables:
        print(tables(results), end="")
        return
    if "scaling" not in results.get("peers", {}):
        raise SystemExit(f"{args.results} has no scaling results: run make bench first")
    draw(results, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
