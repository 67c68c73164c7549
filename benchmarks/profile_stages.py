"""Where the time goes: each stage of classifying 40,000 findings, timed in one run beside the raw
nlpo3 tokenizer on the same text.

    python benchmarks/profile_stages.py                              # about 3 minutes on 2 cores
    python benchmarks/profile_stages.py --findings 4000 --repeat 1   # a quick look

The findings are the shipped corpus's, cycled, written as report files of 100 findings each and as
one findings table (``benchmarks/run.py``'s batch). The stages run in this process, one process,
after a warm-up on one report, each the fastest of ``--repeat`` runs; the imports, the model load
and the end-to-end command run in fresh processes. The table goes into its section of
``benchmarks/results.md`` with the machine it ran on. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.run import corpus_texts, make_batch, write_section  # noqa: E402

SECTION = "Where the time goes, stage by stage"
#: What ``findings classify`` imports before it reads anything.
IMPORTS = (
    "import pipeline.cli, pipeline.batch.run, pipeline.stages.parse, pipeline.stages.words, "
    "pipeline.stages.classify, pipeline.shared.tables, pipeline.learning.models, nlpo3"
)
#: The model as ``findings classify`` loads it: its weights, no scikit-learn.
LOAD = (
    "import time, pipeline.learning.models as m; start = time.perf_counter(); "
    "m.load_model('default', estimator=False); print(time.perf_counter() - start)"
)


def fastest(function, repeat: int):
    """The last result of ``function`` and the fastest of ``repeat`` timed calls."""
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None  # the previous result is freed before the next is built
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return result, best


def fresh(arguments: list[str], repeat: int, *, reported: bool = False) -> float:
    """The fastest of ``repeat`` fresh Python processes: their wall time, or the seconds they
    print themselves when ``reported``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, *arguments], cwd=ROOT, check=True, capture_output=True, text=True
        )
        wall = time.perf_counter() - start
        times.append(float(done.stdout.split()[-1]) if reported else wall)
    return min(times)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        names = [
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
        memory = next(
            int(line.split()[1]) // 1024**2
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        memory = None
    libraries = ", ".join(
        f"{name} {version(name)}" for name in ("scikit-learn", "skops", "numpy", "pandas", "nlpo3")
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), {f'{memory} GiB, ' if memory else ''}"
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}; "
        f"{libraries}"
    )


def in_process(reports: Path, folder: Path, repeat: int) -> tuple[list, int, int]:
    """Rows of (stage, seconds, characters) timed here; the findings parsed, their characters."""
    import nlpo3
    import numpy as np

    from pipeline.learning.models import load_model
    from pipeline.shared.tables import write_table
    from pipeline.shared.taxonomy import CATEGORY_IDS
    from pipeline.stages import classify
    from pipeline.stages.normalize import normalize_document
    from pipeline.stages.parse import category_of_heading, expand_paths, parse_paths
    from pipeline.stages.read import read_document
    from pipeline.stages.segment import segment
    from pipeline.stages.words import nlpo3_dictionary, tokenize

    evidence = classify.evidence
    model = load_model("default", estimator=False)
    dictionary = nlpo3_dictionary()
    files = expand_paths([reports])
    classify.classify(tokenize(parse_paths(files[:1]).findings), model)  # warm-up

    parsed, parse_s = fastest(lambda: parse_paths([reports]), repeat)
    findings = parsed.findings
    texts = findings["text"].tolist()
    _, raw_s = fastest(lambda: [nlpo3.segment(text, dictionary) for text in texts], repeat)
    documents, read_s = fastest(lambda: [read_document(path) for path in files], repeat)
    repaired, normalize_s = fastest(lambda: [normalize_document(d)[0] for d in documents], repeat)
    _, segment_s = fastest(
        lambda: [segment(d, heading_classifier=category_of_heading) for d in repaired], repeat
    )
    tokenized, tokenize_s = fastest(lambda: tokenize(findings), repeat)

    # the classify stage's steps, a chunk at a time as it takes them
    tokens = tokenized["tokens"].tolist()
    steps = {"featurize": [], "predict": [], "evidence": []}
    for _ in range(repeat):
        spent = dict.fromkeys(steps, 0.0)
        for start in range(0, len(tokens), classify.CHUNK):
            chunk = tokens[start : start + classify.CHUNK]
            begin = time.perf_counter()
            matrix = model.weights.features(chunk)
            featurized = time.perf_counter()
            proba = classify.predict_proba(model, chunk, matrix)
            predicted = time.perf_counter()
            evidence(model.weights, chunk, np.array(CATEGORY_IDS)[proba.argmax(axis=1)], matrix)
            spent["featurize"] += featurized - begin
            spent["predict"] += predicted - featurized
            spent["evidence"] += time.perf_counter() - predicted
        for step, seconds in spent.items():
            steps[step].append(seconds)
    classified, classify_s = fastest(lambda: classify.classify(tokenized, model), repeat)
    _, jsonl_s = fastest(lambda: write_table(classified, folder / "out.jsonl"), repeat)
    _, csv_s = fastest(lambda: write_table(classified, folder / "out.csv"), repeat)

    chars = sum(map(len, texts))
    rows = [
        ("**raw nlpo3 tokenizer, same text (the yardstick)**", raw_s, chars),
        ("parse report files: read + normalize + segment (`parse_paths`)", parse_s, chars),
        ("  read", read_s, chars),
        ("  normalize alone", normalize_s, chars),
        ("  segment", segment_s, chars),
        ("tokenize (`words.tokenize`)", tokenize_s, chars),
        ("featurize (`ModelWeights.features`)", min(steps["featurize"]), chars),
        ("predict (`classify.predict_proba`)", min(steps["predict"]), chars),
        ("evidence", min(steps["evidence"]), chars),
        ("classify stage: the three above and the columns", classify_s, chars),
        ("write the classified table, `.jsonl`", jsonl_s, chars),
        ("write the classified table, `.csv`", csv_s, chars),
    ]
    return rows, len(findings), chars


def profile(findings: int, repeat: int) -> str:
    load_before = os.getloadavg()[0]
    texts = corpus_texts()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        reports, table = make_batch(texts, findings, folder / "batch")
        rows, count, chars = in_process(reports, folder, repeat)
        python_s = fresh(["-c", "pass"], repeat)
        imports_s = fresh(["-c", IMPORTS], repeat)
        load_s = fresh(["-c", LOAD], repeat, reported=True)
        command = ["-m", "pipeline.cli", "classify", str(table), "-o", str(folder / "e2e.jsonl")]
        end_to_end_s = fresh(command, repeat)
        one_core_s = fresh([*command, "--jobs", "1"], repeat)
    table_chars = sum(len(texts[i % len(texts)]) for i in range(findings))
    rows[1:1] = [
        ("imports of `findings classify`, fresh process", imports_s, None),
        ("default model load, imports aside", load_s, None),
    ]
    rows += [
        (
            f"**end to end: `findings classify findings.jsonl -o out.jsonl`** (every core, "
            f"{os.cpu_count()} here)",
            end_to_end_s,
            table_chars,
        ),
        ("end to end on one core: the same with `--jobs 1`", one_core_s, table_chars),
    ]
    raw_s = rows[0][1]
    lines = [
        f"Measured by `python benchmarks/profile_stages.py` on {machine()}; load average "
        f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (the machine is "
        "shared with other work, so the figures move between runs).",
        "",
        f"{findings:,} findings, the corpus's cycled, in {findings // 100:,} report files (the "
        f"parser reads {count:,} findings, {chars:,} characters, from them: a text that opens "
        "with a section word such as ข้อเสนอแนะ or runs over several lines is read as a report "
        "would be) and in one findings table. The stages run in one "
        f"process, each the fastest of {repeat} run{'s' if repeat > 1 else ''}; the fixed costs "
        "(no characters/s) in fresh processes, the imports' figure with starting Python "
        f"({python_s:.2f} s). The end-to-end command reads the table, repairs and tokenizes its "
        "text, loads the model, classifies and writes, in a fresh process, with its worker "
        "processes by default (its characters/s counts the table's "
        f"{findings:,} findings).",
        "",
        "| stage | seconds | characters/s | time ÷ the raw tokenizer's |",
        "|---|---:|---:|---:|",
    ]
    for name, seconds, characters in rows:
        speed = f"{characters / seconds:,.0f}" if characters else "—"
        lines.append(f"| {name} | {seconds:.2f} | {speed} | {seconds / raw_s:.2f} |")
    raw_speed = chars / raw_s
    every, one = (table_chars / seconds / raw_speed for _, seconds, _ in rows[-2:])
    lines += [
        "",
        f"End to end, `findings classify` reads {every:.2f} of the raw tokenizer's characters per "
        f"second with every core, {one:.2f} on one core.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--findings", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=2, help="Runs of each stage; the fastest.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md")
    args = parser.parse_args()
    text = profile(args.findings, args.repeat)
    print(text)
    write_section(args.out, SECTION, text)


if __name__ == "__main__":
    main()
