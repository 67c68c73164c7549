"""The ``findings`` command: thin typer commands over the library functions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Read Thai evaluation reports and turn their obstacles and recommendations into tables.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)


def _error(message: str) -> None:
    """One line, never wrapped: error messages get copied into e-mails and searched for."""
    console.print(f"[red]error:[/] {message}", soft_wrap=True, highlight=False)


@app.callback()
def main() -> None:
    """thai-findings: obstacles and recommendations of BMA evaluation reports."""


@app.command()
def parse(
    inputs: Annotated[
        list[Path], typer.Argument(help="Report files or folders (.txt .md .csv .docx .xlsx).")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write: .jsonl, .csv or .xlsx.")
    ],
    agency: Annotated[
        str | None, typer.Option(help="Agency of reports that do not name one.")
    ] = None,
    committee: Annotated[
        int | None, typer.Option(help="Committee (1-6) of reports that do not name one.")
    ] = None,
    year: Annotated[
        int | None, typer.Option(help="Fiscal year (B.E., e.g. 2566) of reports without one.")
    ] = None,
) -> None:
    """Pull every finding out of the reports and write them as one table."""
    from rich.progress import Progress

    from pipeline.parse import expand_paths, parse_paths
    from pipeline.tables import TABLE_SUFFIXES, OutputError, write_table

    if output.suffix.lower() not in TABLE_SUFFIXES:
        _error(f"{output}: unknown output format; use one of {', '.join(TABLE_SUFFIXES)}")
        raise typer.Exit(2)
    files = expand_paths(inputs)
    with Progress(console=console, transient=True, disable=len(files) < 2) as progress:
        task = progress.add_task("Parsing reports", total=len(files))
        result = parse_paths(
            inputs,
            agency=agency,
            committee=committee,
            fiscal_year=year,
            on_file=lambda _: progress.advance(task),
        )
    try:
        write_table(result.findings, output)
    except (OutputError, OSError) as error:
        _error(str(error))
        raise typer.Exit(1) from None
    _print_summary(result, output)
    if result.errors or not files:
        raise typer.Exit(1)


def _print_summary(result, output: Path) -> None:
    from pipeline.schema import KIND_TH, col

    findings = result.findings
    table = Table(title="Findings", show_header=True)
    table.add_column("kind")
    table.add_column("ประเภท")
    table.add_column("count", justify="right")
    counts = findings[col.KIND].value_counts(dropna=False)
    for kind, count in counts.items():
        kind = kind if isinstance(kind, str) else "(none)"
        table.add_row(kind, KIND_TH.get(kind, "-"), str(count))
    table.add_row("[bold]all", "[bold]รวม", f"[bold]{len(findings)}")
    console.print(table)
    if result.repairs:
        repairs = ", ".join(f"{name} {n}" for name, n in sorted(result.repairs.items()))
        console.print(f"Repairs made: {repairs}")
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}", soft_wrap=True, highlight=False)
    refused = len(result.errors)
    console.print(
        f"Read {len(result.files)} file(s), refused {refused}; "
        f"wrote {len(findings)} finding(s) to {output}"
    )
    for error in result.errors:
        _error(error)


corpus_app = typer.Typer(help="The labelled corpus.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")


def _markdown(frame, index_name: str = "") -> str:
    """A pandas table as a Markdown table (pandas' own needs the tabulate package)."""
    header = [index_name or str(frame.index.name or ""), *map(str, frame.columns)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for index, *row in frame.itertuples():  # itertuples keeps each column's own type
        lines.append("| " + " | ".join([str(index), *(str(v) for v in row)]) + " |")
    return "\n".join(lines)


@corpus_app.command("stats")
def corpus_stats(
    root: Annotated[Path, typer.Option("--corpus", help="The corpus folder.")] = Path("corpus"),
) -> None:
    """Findings per category, kind, committee, format and agency, and the near-duplicate share."""
    from pipeline.corpus import CorpusError, agreement, load_corpus, statistics

    try:
        stats = statistics(load_corpus(root))
    except CorpusError as error:
        _error(str(error))
        raise typer.Exit(1) from None
    titles = {
        "by_kind": "Findings per category and kind",
        "by_subset": "Findings per category and subset (seed: the real FY2565 report; samples: "
        "FY2566 sample reports; extra: other Thai public bodies)",
        "by_committee": "FY2566 samples per committee and kind",
        "by_format": "FY2566 sample reports per format",
        "per_agency": "FY2566 findings per agency",
        "label_sources": "Label sources",
    }
    out = [f"{stats['findings']} labelled findings.", ""]
    for key, title in titles.items():
        out += [f"**{title}**", "", _markdown(stats[key]), ""]
    out.append(
        "Near-duplicates (character 2-4-gram TF-IDF cosine >= 0.9): "
        f"{stats['near_duplicate_pairs']} pairs; "
        f"{stats['near_duplicate_share']:.1%} of findings have one."
    )
    if (root / "double_labelling.jsonl").exists():
        out += [
            "",
            "**Double labelling (Cohen's kappa)**",
            "",
            _markdown(agreement(root / "double_labelling.jsonl")),
        ]
    typer.echo("\n".join(out))


if __name__ == "__main__":
    app()
