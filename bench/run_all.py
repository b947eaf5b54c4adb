"""Every benchmark in one run: a table of figure, target, measured and met, and bench/results.json.

Run: ``make bench`` (or ``.venv/bin/python -m bench.run_all``; csv2notion-neo must be installed in
``bench/.venv-csv2notion`` to take part, which ``make bench`` does).

Phase 1 runs at once, each in its own process with its own sandbox: the comparison with the peers
(250 ± 50 ms, 180/60 s; bound by the rate limit, so it mostly waits), the scaling runs (5 ms, no
rate limit), :mod:`bench.switch` (syncer taking over the app's databases),
:mod:`bench.engine_scenarios` and :mod:`bench.burst_recovery` (both rate-bound), and
:mod:`bench.reads_floor` (a no-drift reconcile's requests, 100 to 10,000 pages). Phase 2 runs
the CPU-time benchmarks one after another on an otherwise idle machine: change capture,
planning, the sandbox's own speed, start-up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results.json"


@dataclass
class Figure:
    """One line of the summary table."""

    group: str
    figure: str
    target: str
    measured: str
    met: str  # "yes", "NO" or "-" (context, no target)


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("yes" if ok else "NO")


def state_word(correct: bool | None) -> str:
    return {True: "state exactly right", False: "STATE WRONG", None: "state not checked"}[correct]


def ids_word(replaced: int | None) -> str:
    """Whether the pages' ids survived the step (None: there were no pages before it)."""
    if replaced is None:
        return "-"
    return "yes" if replaced == 0 else f"no: {replaced} shifts got a new page"


def step_text(step: dict[str, Any]) -> str:
    text = (
        f"{step['requests']} requests ({step['reads']} reads, {step['writes']} writes), "
        f"{step['wall_s']:.1f} s, {step['rate_limited']} x 429, {state_word(step['correct'])}"
    )
    if step.get("ids_replaced"):
        text += f", {ids_word(step['ids_replaced'])}"
    if step.get("error"):
        text += f"; failed: {step['error'][:100]}"
    elif step["correct"] is False:
        text += f" ({step['detail'][:160]})"
    return text


def syncer_target(
    scenario: str, size: int, step: dict[str, Any], rate: str | None
) -> tuple[str, bool]:
    """Our target for one of our steps, and whether it was met (state exactly right included)."""
    right = step["correct"] is not False and not step.get("error")
    if scenario == "first 14-day sync":
        return "at most 10 s wall", right and step["wall_s"] <= 10
    if scenario == "identical regeneration":
        return "0 requests", right and step["requests"] == 0
    if scenario == "a week later (moves)":
        return "state exactly right, every page keeps its id", right and step["ids_replaced"] == 0
    if scenario.endswith("changed shifts") or scenario.startswith("drain of"):
        k = int(scenario.split()[0]) if scenario[0].isdigit() else size
        return f"exactly {k} writes, {k} requests", right and step["writes"] == k == step[
            "requests"
        ]
    if scenario == "first year of history" and rate:
        requests, seconds = (float(x) for x in rate.split("/"))
        bound = size / requests * seconds
        ok = step["wall_s"] <= 1.1 * bound and step["rate_limited"] == 0
        return f"within 1.1x of {bound:.0f} s, 0 x 429", right and ok
    if "reconcile" in scenario:
        allowed = math.ceil(size / 100) + 10
        ok = step["writes"] == 0 and step["reads"] <= allowed
        return f"0 writes, at most {allowed} reads", right and ok
    return "state exactly right", right


def peer_figures(report: dict[str, Any], group: str) -> list[Figure]:
    figures: list[Figure] = []
    rate = report.get("rate_limit")
    for step in report["steps"]:
        scenario, size = step["scenario"], step["size"]
        label = f"{step['tool']}: {scenario}" + (f" ({size})" if group == "scaling" else "")
        if step["tool"] == "syncer" and not (group == "scaling" and scenario == "first sync"):
            target, ok = syncer_target(scenario, size, step, rate)
            figures.append(Figure(group, label, target, step_text(step), verdict(ok)))
        else:
            figures.append(Figure(group, label, "- (comparison)", step_text(step), "-"))
    for tool, reason in report.get("skipped", {}).items():
        figures.append(Figure(group, f"{tool}: every scenario", "-", f"not run: {reason}", "-"))
    return figures


SWITCH_TARGETS = {
    "notion adopt --dry-run": "0 writes",
    "drain": "one page per shift, each in its database, all of them pages the app left",
    "plan --detailed-exitcode": "exit 0 (in sync)",
}


def switch_figures(report: dict[str, Any]) -> list[Figure]:
    """The switch from the app's sync to syncer (bench.switch): one figure per command."""
    figures = []
    for step in report["steps"]:
        scenario = step["scenario"]
        target = SWITCH_TARGETS.get(scenario, "- (context)")
        ok: bool | None = None
        if scenario == "notion adopt --dry-run":
            ok = step["writes"] == 0 and not step["error"]
        elif scenario in SWITCH_TARGETS:
            ok = step["correct"] is True
        figures.append(
            Figure("switch", f"syncer: {scenario}", target, step_text(step), verdict(ok))
        )
    return figures


def markdown_rows(text: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.strip().startswith("|") and not line.strip().startswith("|---")
    ]


def table_figures(group: str, text: str) -> list[Figure]:
    """Rows of the Markdown tables printed by engine_scenarios, startup and plan_speed."""
    figures: list[Figure] = []
    header: list[str] = []
    for cells in markdown_rows(text):
        lowered = [c.lower() for c in cells]
        if "target" in lowered:
            header = lowered
            continue
        if not header or len(cells) != len(header):
            continue
        row = dict(zip(header, cells, strict=True))
        target = row["target"]
        measured = ", ".join(
            f"{h} {v}" if h not in ("measured",) else v
            for h, v in row.items()
            if h not in (header[0], "target", "met")
        )
        if "met" in row:
            met = row["met"]
        elif target.endswith(": met"):
            met, target = "yes", target.removesuffix(": met")
        elif "MISSED" in target:
            met, target = "NO", target.split(":")[0]
        else:
            met = "-"
        figures.append(Figure(group, row[header[0]], target, measured, met))
    return figures


def trigger_figures(text: str) -> list[Figure]:
    # Targets sit on the instruction counts (load-independent); wall-clock ratios are context.
    figures: list[Figure] = []
    pattern = re.compile(r"^(.+?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)x (instructions|ms)$")
    for line in text.splitlines():
        match = pattern.match(line.strip())
        if not match:
            continue
        name, base, captured, ratio = match[1], float(match[2]), float(match[3]), float(match[4])
        unit = "M instructions" if match[5] == "instructions" else "ms"
        measured = f"{base:.2f} {unit} -> {captured:.2f} {unit} with triggers ({ratio:.2f}x)"
        if name.startswith("regenerate") and unit == "ms":
            figures.append(Figure("capture", name, "< 5 ms", measured, verdict(captured < 5)))
        elif unit == "ms" or "overrides" in name or name.startswith("regenerate"):
            figures.append(Figure("capture", name, "- (context)", measured, "-"))
        else:
            figures.append(Figure("capture", name, "at most 2x", measured, verdict(ratio <= 2)))
    if not any(f.target == "at most 2x" for f in figures):
        figures.append(Figure("capture", "trigger overhead", "at most 2x", "not counted", "NO"))
    return figures


def sandbox_figures(text: str) -> list[Figure]:
    figures: list[Figure] = []
    for line in text.splitlines():
        match = re.match(r"^(.+?)\s+([\d.]+) req/s\s+\((.+)\)$", line.strip())
        if match:
            rate = float(match[2])
            figures.append(
                Figure(
                    "sandbox",
                    match[1],
                    "at least 500 req/s",
                    f"{rate:.0f} req/s",
                    verdict(rate >= 500),
                )
            )
            continue
        match = re.match(r"^(.+?)\s+([\d.]+)$", line.strip())
        if match and not line.startswith("python"):
            figures.append(Figure("sandbox", match[1], "- (context)", match[2], "-"))
    return figures


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def start(module: str, *args: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", module, *args], stdout=out, stderr=subprocess.STDOUT
        )


def finish(name: str, process: subprocess.Popen[bytes], log: Path, outputs: dict[str, Any]) -> str:
    code = process.wait()
    text = log.read_text(errors="replace")
    outputs[name] = {"exit_code": code, "output": text[-20_000:]}
    print(f"--- {name} (exit {code})\n{text.strip()[-4000:]}\n", flush=True)
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--quick", action="store_true", help="only the peers and the switch (for trying it out)"
    )
    args = parser.parse_args(argv)
    began = time.perf_counter()
    outputs: dict[str, Any] = {}
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        compare_json, scaling_json = tmp / "compare.json", tmp / "scaling.json"
        switch_json = tmp / "switch.json"
        phase1 = {
            "peers --part compare": start(
                "bench.peers", "--part", "compare", "--out", str(compare_json), log=tmp / "c.log"
            ),
            "peers --part scaling": start(
                "bench.peers", "--part", "scaling", "--out", str(scaling_json), log=tmp / "s.log"
            ),
            "switch": start("bench.switch", "--out", str(switch_json), log=tmp / "w.log"),
        }
        logs = {
            "peers --part compare": tmp / "c.log",
            "peers --part scaling": tmp / "s.log",
            "switch": tmp / "w.log",
        }
        if not args.quick:
            phase1["engine_scenarios"] = start("bench.engine_scenarios", log=tmp / "e.log")
            logs["engine_scenarios"] = tmp / "e.log"
            phase1["burst_recovery"] = start("bench.burst_recovery", log=tmp / "b.log")
            logs["burst_recovery"] = tmp / "b.log"
            phase1["reads_floor"] = start("bench.reads_floor", log=tmp / "r.log")
            logs["reads_floor"] = tmp / "r.log"
        texts = {name: finish(name, p, logs[name], outputs) for name, p in phase1.items()}
        reports: dict[str, Any] = {}
        parts = (("compare", compare_json), ("scaling", scaling_json), ("switch", switch_json))
        for part, path in parts:
            if not path.exists():
                figures.append(Figure(part, f"{part} part", "-", "did not finish", "NO"))
                continue
            reports[part] = json.loads(path.read_text())
            report = reports[part]
            figures += switch_figures(report) if part == "switch" else peer_figures(report, part)
        if not args.quick:
            figures += table_figures("engine", texts["engine_scenarios"])
            figures += table_figures("burst", texts["burst_recovery"])
            figures += table_figures("reads", texts["reads_floor"])
            phase2 = [
                ("trigger_overhead", ("--repeat", "15")),
                ("plan_speed", ()),
                ("sandbox_speed", ()),
                ("startup", ()),
            ]
            for name, extra in phase2:
                log = tmp / f"{name}.log"
                text = finish(name, start(f"bench.{name}", *extra, log=log), log, outputs)
                if name == "trigger_overhead":
                    figures += trigger_figures(text)
                elif name == "sandbox_speed":
                    figures += sandbox_figures(text)
                else:
                    figures += table_figures(name.replace("_speed", ""), text)
    elapsed = time.perf_counter() - began
    result = {
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed, 1),
        "machine": machine(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "table": [asdict(f) for f in figures],
        "peers": reports,
        "outputs": outputs,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(render(figures))
    targets = [f for f in figures if f.met != "-"]
    missed = [f.figure for f in targets if f.met != "yes"]
    met = len(targets) - len(missed)
    print(
        f"\n{len(figures)} figures, {len(targets)} with a target: {met} met, "
        f"{len(missed)} missed{': ' + '; '.join(missed) if missed else ''}. "
        f"{elapsed / 60:.1f} min; written to {args.out}"
    )


def render(figures: list[Figure]) -> str:
    lines = ["| group | figure | target | measured | met |", "|---|---|---|---|---|"]
    lines += [f"| {f.group} | {f.figure} | {f.target} | {f.measured} | {f.met} |" for f in figures]
    return "\n".join(lines)


if __name__ == "__main__":
    main(sys.argv[1:])
