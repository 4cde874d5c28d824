"""The Markdown page of a speed run: the targets table, then the details of
the figures that have several rows (KEEL tables, scaling sizes, DDP runs)."""

from __future__ import annotations

from typing import Any


def markdown(result: dict[str, Any]) -> str:
    m, run, stick = result["machine"], result["run"], result["yardstick"]
    lines = ["# Speed benchmark", ""]
    if run["quick"]:
        lines += [
            "**`--quick` run: tiny step counts and sizes, a smoke test. Its "
            "figures are not judged against the targets.**",
            "",
        ]
    gpus = ", ".join(m.get("cuda_devices", [])) or "none"
    lines += [
        f"{run['started']}; measured in {run['seconds']:.0f} s.  "
        f"{m['processor']}, {m['usable_cpus']} usable CPU(s) of {m['cpu_count']}, "
        f"torch {m['torch']} on {m['torch_threads']} thread(s), GPU: {gpus}; "
        f"ganaug {m['ganaug']} ({m['ganaug_commit'] or 'no git'}).  "
        f"Yardstick (512x512 matmul, best of 20): "
        f"{_ms(stick['matmul512_seconds_start'])} at the start, "
        f"{_ms(stick.get('matmul512_seconds_end'))} at the end; load average "
        f"{stick['load_average_start']} -> {stick.get('load_average_end')}.",
        "",
        "| # | figure | device | target | measured | baseline (same run) "
        "| verdict | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f in result["figures"]:
        cells = [
            f["number"],
            f["name"],
            f["device"],
            f["target"],
            f["shown"],
            f["baseline"],
            f["verdict"],
            f["note"],
        ]
        lines.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    sections = result["sections"]
    for name, writer in (("keel", _keel), ("scaling", _scaling), ("ddp", _ddp)):
        for device, details in sections.get(name, {}).items():
            if details.get("runs"):
                lines += ["", *writer(device, details)]
    return "\n".join(lines) + "\n"


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f} ms"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += [
        "| " + " | ".join("-" if c is None else str(c) for c in r) + " |" for r in rows
    ]
    return out


def _keel(device: str, d: dict[str, Any]) -> list[str]:
    rows = [
        [
            r["table"],
            r.get("rows"),
            r.get("columns"),
            r.get("fit_seconds", r.get("error")),
            r.get("n_steps"),
            _ms(r.get("smote_seconds")),
        ]
        for r in d["runs"]
    ]
    return [
        f"## Figure 2: KEEL, default fit on fold 0's training rows ({device})",
        "",
        *_table(["table", "rows", "columns", "fit s", "steps", "SMOTE"], rows),
    ]


def _scaling(device: str, d: dict[str, Any]) -> list[str]:
    rows = [
        [
            f"{r['rows']:,}",
            r.get("data_mb"),
            r.get("fit_seconds", r.get("error")),
            r.get("fixed_cost_seconds"),
            r.get("ms_per_step"),
            r.get("fit_peak_extra_mb"),
            r.get("fit_peak_over_data"),
            r.get("sample_seconds"),
            r.get("sample_rows_per_second"),
        ]
        for r in d["runs"]
    ]
    header = [
        "rows",
        "data MB",
        "fit s",
        "fixed cost s (steps=1)",
        "ms/step",
        "fit peak +MB",
        "peak / data",
        "sample n rows s",
        "sample rows/s",
    ]
    return [
        f"## Figure 5: scaling, {d['params']}",
        "",
        f"{d['data']}; {d['memory']}.",
        "",
        *_table(header, rows),
    ]


def _ddp(device: str, d: dict[str, Any]) -> list[str]:
    rows = [
        [
            r["processes"],
            r.get("threads_per_process"),
            r.get("device", device),
            r.get("steps_per_second", r.get("error")),
            r.get("rows_per_second_per_process"),
            r.get("rows_per_second_total"),
            r.get("cas_in_sample"),
        ]
        for r in d["runs"]
    ]
    header = [
        "processes",
        "threads each",
        "device",
        "updates/s",
        "rows/s per process",
        "rows/s in all",
        "CAS (in-sample)",
    ]
    return [
        f"## Figure 6: DDP ({device})",
        "",
        f"{d['script']}; {d['steps']} steps, per-step figures {d['per_step_figures']}; "
        f"{d['quality']}.",
        "",
        *_table(header, rows),
    ]
