"""Large batches: findings tables of 100,000 and 1,000,000 findings classified by `findings
classify`, a chunk at a time, over one or two processes and on a local Dask cluster.

    python benchmarks/scale.py                     # about 15 minutes on 2 cores
    python benchmarks/scale.py --sizes 20000 200000 --no-before   # a quicker look

Each run is a fresh process timed from start to exit (start-up and model loading included), its
peak resident memory taken from ``wait4`` (the largest of the process and the workers it started
and waited for). Outputs are compared by their SHA-256. "before" is the path `findings classify`
took until this change (everything read, classified and written in memory, ``--jobs`` with
joblib), run through the library. Results go to ``benchmarks/scale.md``; nothing here asserts a
timing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = "{output}"  # where a compared run writes

IN_MEMORY = """
import sys
from pipeline.learning.models import load_model
from pipeline.shared.tables import write_table
from pipeline.stages.classify import classify
from pipeline.stages.parse import read_inputs
from pipeline.stages.words import tokenize

table, output, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
model = load_model()
findings = read_inputs([table], jobs=jobs).findings
write_table(classify(tokenize(findings, jobs=jobs), model, jobs=jobs), output)
"""

SPAWNED = """
import sys
import pipeline.batch.workers
from pipeline.cli import app

pipeline.batch.workers.START_METHOD = "spawn"  # each worker loads the model itself
app(sys.argv[1:])
"""


def make_table(count: int, path: Path) -> Path:
    """``count`` findings of the shipped corpus, cycled, as a JSON Lines findings table."""
    from pipeline.learning.corpus import load_corpus

    texts = list(load_corpus(ROOT / "corpus")["text"])
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            row = {"finding_id": str(n), "text": texts[n % len(texts)]}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def best(arguments: list[str], repeat: int) -> dict:
    """The fastest of ``repeat`` runs: other work on the machine only ever slows a run down."""
    return min((run(arguments) for _ in range(repeat)), key=lambda measured: measured["seconds"])


def run(arguments: list[str]) -> dict:
    """Wall time and peak memory of one fresh process."""
    load = os.getloadavg()[0]
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, *arguments], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    errors = process.stderr.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(arguments)} failed:\n{errors}")
    cpu = usage.ru_utime + usage.ru_stime  # of the process and the workers it waited for
    return {"seconds": seconds, "cpu": cpu, "mib": usage.ru_maxrss / 1024, "load": load}


def classify_command(table: Path, output: Path | str, *options: str) -> list[str]:
    return ["-m", "pipeline.cli", "classify", str(table), "-o", str(output), *options]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(2**20):
            digest.update(block)
    return digest.hexdigest()


def row(what: str, findings: int, measured: dict, same: str = "") -> str:
    rate = findings / measured["seconds"]
    return (
        f"| {what} | {findings:,} | {measured['seconds']:.1f} | {rate:,.0f} | "
        f"{measured['cpu']:.1f} | {measured['mib']:,.0f} | {measured['load']:.1f} | {same} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[100_000, 1_000_000])
    parser.add_argument("--no-before", action="store_true", help="skip the in-memory runs")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask local cluster")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each on the smaller table")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "scale.md")
    args = parser.parse_args()
    small, large = args.sizes
    rows, notes = [], []

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        table = make_table(small, folder / "small.jsonl")
        reference, parallel = folder / "jobs1.jsonl", folder / "jobs2.jsonl"
        ones, twos = [], []
        for _ in range(args.repeat):  # in turn, so that both meet the same load on the machine
            ones.append(run(classify_command(table, reference, "--jobs", "1")))
            twos.append(run(classify_command(table, parallel, "--jobs", "2")))
        one, two = (min(runs, key=lambda measured: measured["seconds"]) for runs in (ones, twos))
        turns = sorted(a["seconds"] / b["seconds"] for a, b in zip(ones, twos))
        rows.append(row("streamed, `--jobs 1`", small, one))
        expected = sha256(reference)
        same_two = "yes" if sha256(parallel) == expected else "NO"
        parallel.unlink()
        rows.append(
            row("streamed, `--jobs 2` (workers forked with the model)", small, two, same_two)
        )

        def compared(name: str, arguments: list[str]) -> tuple[dict, str]:
            """A run writing to ``name`` (``OUT`` in ``arguments``), against the reference."""
            output = folder / name
            measured = best([str(output) if a == OUT else a for a in arguments], args.repeat)
            same = "yes" if sha256(output) == expected else "NO"
            output.unlink()
            return measured, same

        spawned, same_spawned = compared(
            "spawned.jsonl",
            ["-c", SPAWNED, *classify_command(table, OUT, "--jobs", "2")[2:]],
        )
        rows.append(
            row(
                "streamed, `--jobs 2` (workers spawned, each loads the model)",
                small,
                spawned,
                same_spawned,
            )
        )
        if not args.no_dask:
            dask, same_dask = compared(
                "dask.jsonl",
                classify_command(table, OUT, "--scheduler", "local", "--jobs", "2"),
            )
            rows.append(
                row("Dask `LocalCluster`, 2 workers (`--scheduler local`)", small, dask, same_dask)
            )
        if not args.no_before:
            for jobs in ("1", "2"):
                before, same_before = compared(
                    f"before{jobs}.jsonl", ["-c", IN_MEMORY, str(table), OUT, jobs]
                )
                rows.append(
                    row(f"before: in memory, `--jobs {jobs}` (joblib)", small, before, same_before)
                )
        reference.unlink()
        table.unlink()

        table = make_table(large, folder / "large.jsonl")
        big = run(classify_command(table, folder / "large_out.jsonl", "--jobs", "1"))
        rows.append(row("streamed, `--jobs 1`", large, big))

    for measure, name in (("seconds", "time"), ("cpu", "CPU time")):
        ratio = (big[measure] / one[measure]) / (large / small)
        marginal = (big[measure] - one[measure]) / (large - small) * small
        notes.append(
            f"- **Linearity, {name}**: {large:,} findings took {big[measure] / one[measure]:.2f}× "
            f"the {name} of {small:,} ({ratio:.3f} of linear; within 10%: "
            f"{'yes' if abs(ratio - 1) <= 0.10 else 'no'}). Each further {small:,} findings took "
            f"{marginal:.1f} s, the first {small:,} {one[measure]:.1f} s (start-up, the model and "
            "the first pass over the table included)."
        )
    notes.append(
        f"- **Memory**: {big['mib']:,.0f} MiB at {large:,} findings against {one['mib']:,.0f} MiB "
        f"at {small:,} (target < 1 GiB)."
    )
    notes.append(
        f"- **`--jobs 2` against `--jobs 1`** on {small:,}: "
        f"{one['seconds'] / two['seconds']:.2f}× (target ≥ 1.7×), the fastest of each; run by "
        f"run, each `--jobs 2` run against the `--jobs 1` run just before it: "
        f"{', '.join(f'{ratio:.2f}×' for ratio in turns)}; same output: {same_two}."
    )
    if not args.no_dask:
        notes.append(
            f"- **Dask, 2 local workers, against the local `--jobs 1` run** on {small:,}: "
            f"{one['seconds'] / dask['seconds']:.2f}×; same output: {same_dask}."
        )
    text = "\n".join(
        [
            "# Large batches",
            "",
            f"Measured by `python benchmarks/scale.py` on {os.cpu_count()} cores, Python "
            f"{platform.python_version()}: findings tables of the shipped corpus's findings "
            "(cycled) classified into `.jsonl` by `findings classify`, each run a fresh process "
            "(start-up and model loading included); on the smaller table, the fastest of "
            f"{args.repeat} runs of each. CPU seconds are those of the process and its "
            "workers; peak memory is the largest resident size among them; load is the machine's "
            "one-minute load average when the run started: above 0, other work shared the cores, "
            "and wall times (not CPU times) grow with it.",
            "",
            "| run | findings | seconds | findings/s | CPU s | peak MiB | load | same output |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            *notes,
            "",
        ]
    )
    print(text)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
