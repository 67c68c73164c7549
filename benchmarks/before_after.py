"""Throughput of an earlier version of the project and of this one, on the same reports, in one run.

    python benchmarks/before_after.py --before 3504527      # about 2 minutes on 2 cores

The earlier version is checked out from git into a temporary worktree (with its own default
model); both versions time their own stages (`benchmarks/run.py`'s ``stages``) in fresh processes
on one batch of report files made from this version's corpus. Results go to
``benchmarks/before_after.md``. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_STAGES = (
    "import json, sys; sys.path.insert(0, '.'); from pathlib import Path;"
    "from benchmarks.run import stages; print(json.dumps(stages(Path(sys.argv[1]))))"
)


def timed_stages(tree: Path, reports: Path) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-c", _STAGES, str(reports)],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    from benchmarks.run import corpus_texts, make_batch

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", required=True, help="A git revision of the earlier version.")
    parser.add_argument("--findings", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "before_after.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        before = folder / "before"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "-q", str(before), args.before],
            cwd=ROOT,
            check=True,
        )
        try:
            reports, _ = make_batch(corpus_texts(), args.findings, folder / "batch")
            rows_before = timed_stages(before, reports)
            rows_after = timed_stages(ROOT, reports)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT)
    lines = [
        f"Measured by `python benchmarks/before_after.py --before {args.before}`: "
        f"{args.findings:,} findings in report files, the same batch for both versions, each "
        "with its own default model.",
        "",
        f"| stage | before ({args.before}) characters/s | now characters/s | now / before |",
        "|---|---|---|---|",
    ]
    for old, new in zip(rows_before, rows_after):
        ratio = new["chars_per_s"] / old["chars_per_s"]
        lines.append(
            f"| {new['what']} | {old['chars_per_s']:,} | {new['chars_per_s']:,} | {ratio:.2f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
