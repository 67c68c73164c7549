"""Throughput, cold start, peak memory and --jobs speed-up, measured side by side in one run.

    python benchmarks/run.py                       # about 5 minutes on 2 cores
    python benchmarks/run.py --findings 5000 --memory-findings 20000   # a quick look

A large batch is made from the shipped corpus's findings, cycled: written as report files (so the
real readers and segmenter run) and as one findings table. Each stage is timed on it, beside the raw
nlpo3 tokenizer on the same text; the command line is timed cold in fresh processes; peak memory is
the resident size of a process classifying the findings table. Results are printed as Markdown and
written to their section of ``benchmarks/results.md``. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FINDINGS_PER_REPORT = 100
SECTION = "Throughput, start-up and memory"


def write_section(path: Path, title: str, body: str) -> None:
    """Put ``body`` under ``## title`` in ``path``, in place of what was there; other sections
    (each benchmark writes its own) stay as they are."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    sections = [s.strip("\n") for s in re.split(r"(?m)^(?=## )", text) if s.strip()]
    new = f"## {title}\n\n{body.strip()}"
    mine = [i for i, s in enumerate(sections) if s.splitlines()[0] == f"## {title}"]
    if mine:
        sections[mine[0]] = new
    else:
        sections.append(new)
    path.write_text("\n\n".join(sections) + "\n", encoding="utf-8")


def corpus_texts() -> list[str]:
    from pipeline.learning.corpus import load_corpus

    return list(load_corpus(ROOT / "corpus")["text"])


def make_batch(texts: list[str], count: int, folder: Path) -> tuple[Path, Path]:
    """``count`` findings as report files (a heading, numbered items) and as a JSON Lines table."""
    reports = folder / "reports"
    reports.mkdir(parents=True)
    chosen = [texts[i % len(texts)] for i in range(count)]
    for start in range(0, count, FINDINGS_PER_REPORT):
        items = chosen[start : start + FINDINGS_PER_REPORT]
        lines = [f"หน่วยงาน: รายงานที่ {start // FINDINGS_PER_REPORT + 1}", "ปัญหาอุปสรรค"]
        lines += [f"{n}. {text}" for n, text in enumerate(items, start=1)]
        (reports / f"b1_{start:07d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = folder / "findings.jsonl"
    with table.open("w", encoding="utf-8") as out:
        for n, text in enumerate(chosen):
            out.write(json.dumps({"finding_id": str(n), "text": text}, ensure_ascii=False) + "\n")
    return reports, table


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def stages(reports: Path) -> list[dict]:
    """Each stage in this process, after one warm-up, beside the raw tokenizer."""
    import nlpo3

    from pipeline.learning.models import load_model
    from pipeline.stages.classify import classify
    from pipeline.stages.parse import parse_paths
    from pipeline.stages.words import nlpo3_dictionary, tokenize

    model = load_model("default")
    dictionary = nlpo3_dictionary()
    warm = parse_paths(sorted(reports.iterdir())[:1]).findings
    classify(tokenize(warm), model)

    parsed, parse_s = timed(parse_paths, [reports])
    findings = parsed.findings
    chars = int(findings["text"].str.len().sum())
    _, raw_s = timed(lambda: [nlpo3.segment(t, dictionary) for t in findings["text"]])
    tokenized, tokenize_s = timed(tokenize, findings)
    _, classify_s = timed(classify, tokenized, model)
    rows = [
        ("raw nlpo3 tokenizer (same text)", raw_s),
        ("parse: read, normalize, segment", parse_s),
        ("tokenize stage", tokenize_s),
        ("classify stage", classify_s),
        ("end to end: parse + tokenize + classify", parse_s + tokenize_s + classify_s),
    ]
    return [
        {
            "what": name,
            "seconds": round(s, 2),
            "findings_per_s": round(len(findings) / s),
            "chars_per_s": round(chars / s),
        }
        for name, s in rows
    ]


def command_seconds(arguments: list[str], repeat: int) -> float:
    """Median wall time of a fresh ``findings`` process."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pipeline.cli", *arguments],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_memory_mib(arguments: list[str]) -> float:
    """Peak resident memory of a fresh ``findings`` process (its own maximum, from wait4)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", *arguments],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    if status:
        raise RuntimeError(f"findings {' '.join(arguments)} failed")
    return usage.ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--findings", type=int, default=20_000)
    parser.add_argument("--memory-findings", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md")
    args = parser.parse_args()

    texts = corpus_texts()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        reports, _ = make_batch(texts, args.findings, folder / "batch")
        big_reports, big_table = make_batch(texts, args.memory_findings, folder / "memory")
        one_report = sorted(reports.iterdir())[0]

        # first: on Linux a child's peak counts from its parent's size when it was started, and
        # this process grows once the stages below have run in it
        memory = peak_memory_mib(["classify", str(big_table), "-o", str(folder / "big.jsonl")])
        rows = stages(reports)
        help_s = command_seconds(["--help"], repeat=5)
        one_file_s = command_seconds(
            ["classify", str(one_report), "-o", str(folder / "one.jsonl")], repeat=3
        )
        # the large batch: starting workers is worth it only when there is enough to share
        jobs1 = command_seconds(
            ["classify", str(big_reports), "-o", str(folder / "j1.jsonl"), "--jobs", "1"], repeat=1
        )
        jobs2 = command_seconds(
            ["classify", str(big_reports), "-o", str(folder / "j2.jsonl"), "--jobs", "2"], repeat=1
        )
        same = (folder / "j1.jsonl").read_bytes() == (folder / "j2.jsonl").read_bytes()

    raw = rows[0]["chars_per_s"]
    end_to_end = rows[-1]["chars_per_s"]
    lines = [
        f"Measured by `python benchmarks/run.py` on {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {args.findings:,} findings in "
        f"{args.findings // FINDINGS_PER_REPORT} report files "
        f"({sum(len(t) for t in texts) // len(texts)} characters a finding on average).",
        "",
        "| stage | seconds | findings/s | characters/s |",
        "|---|---|---|---|",
        *(
            f"| {r['what']} | {r['seconds']} | {r['findings_per_s']:,} | {r['chars_per_s']:,} |"
            for r in rows
        ),
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| end-to-end characters/s against the raw tokenizer, report files in one process | "
        f"{end_to_end / raw:.2f} | (a findings table with `findings classify`: next section) |",
        f"| `findings --help`, cold | {help_s:.2f} s | < 0.5 s |",
        f"| `findings classify` on one report, cold | {one_file_s:.2f} s | |",
        f"| peak memory, classifying {args.memory_findings:,} findings | {memory:,.0f} MiB "
        "| < 1 GiB |",
        f"| `classify --jobs 2` against `--jobs 1`, {args.memory_findings:,} findings in "
        f"{args.memory_findings // FINDINGS_PER_REPORT:,} reports | "
        f"{jobs1 / jobs2:.2f}× ({jobs1:.1f} s → {jobs2:.1f} s; same output: "
        f"{'yes' if same else 'NO'}) | ≥ 1.6× |",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    write_section(args.out, SECTION, text)


if __name__ == "__main__":
    main()
