"""The ``findings`` command: thin typer commands over the library functions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pipeline.shared.settings import CORPUS_DIR, OUTPUT_DIR, SOURCES_DIR

app = typer.Typer(
    help="Read Thai evaluation reports and turn their obstacles and recommendations into tables.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)


def _error(message: str) -> None:
    """One line, never wrapped: error messages get copied into e-mails and searched for.

    Control characters (a file named with a newline or a terminal escape) are shown escaped, so
    a name can neither forge a second line nor drive the terminal.
    """
    from rich.markup import escape

    safe = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in str(message))
    console.print(f"[red]error:[/] {escape(safe)}", soft_wrap=True, highlight=False)


def _write_failed(output: Path, error: Exception) -> None:
    """A failed write as one line naming the output: never a temporary file's name."""
    reason = getattr(error, "strerror", None) or str(error)
    _error(reason if str(output) in reason else f"{output}: cannot write ({reason})")
    raise typer.Exit(1) from None


def _refuse_overwriting_inputs(outputs: list[Path], inputs: list[Path]) -> None:
    """No output may be one of the inputs: ``parse r.csv -o r.csv`` would destroy the report."""
    from pipeline.shared.tables import same_file
    from pipeline.stages.parse import expand_paths

    files = expand_paths(inputs)
    for output in outputs:
        clash = same_file(output, files)
        if clash is not None:
            _error(f"{output}: is also an input; write the output somewhere else")
            raise typer.Exit(2)


def _jobs_option(value: int) -> int:
    if value == 0 or value < -1:
        raise typer.BadParameter("give a number of processes from 1 up, or -1 for all cores")
    return value


#: Options several commands share, declared once.
JobsOption = Annotated[
    int, typer.Option(help="Processes to use (-1: all cores).", callback=_jobs_option)
]
YearOption = Annotated[
    int | None,
    typer.Option(help="Fiscal year (B.E.) of reports without one.", min=2400, max=2800),
]


@app.callback()
def main() -> None:
    """thai-findings: obstacles and recommendations of BMA evaluation reports."""
    import signal

    # a plain `kill` ends the run like Ctrl-C: temporary files are removed on the way out
    signal.signal(signal.SIGTERM, signal.default_int_handler)


@app.command()
def parse(
    inputs: Annotated[
        list[Path], typer.Argument(help="Report files or folders (.txt .md .csv .docx .xlsx .pdf).")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write: .jsonl, .csv or .xlsx.")
    ],
    agency: Annotated[
        str | None, typer.Option(help="Agency of reports that do not name one.")
    ] = None,
    committee: Annotated[
        int | None,
        typer.Option(help="Committee (1-6) of reports that do not name one.", min=1, max=20),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            help="Fiscal year (B.E., e.g. 2566) of reports without one.", min=2400, max=2800
        ),
    ] = None,
    jobs: JobsOption = 1,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Print, per file, the sections and headings read and how."
        ),
    ] = False,
) -> None:
    """Pull every finding out of the reports and write them as one table."""
    from pipeline.shared.tables import TABLE_SUFFIXES, OutputError, write_table
    from pipeline.stages.parse import expand_paths

    if output.suffix.lower() not in TABLE_SUFFIXES:
        _error(f"{output}: unknown output format; use one of {', '.join(TABLE_SUFFIXES)}")
        raise typer.Exit(2)
    _refuse_overwriting_inputs([output], inputs)
    files = expand_paths(inputs)
    # a findings table (.jsonl, or .csv with a text column) is read as it is, as classify does
    result = _read_inputs(inputs, year=year, jobs=jobs, agency=agency, committee=committee)
    if result.errors and not result.files and output.exists():
        _print_summary(result, output)
        _error(f"{output}: left as it was; no input could be read")
        raise typer.Exit(1)
    try:
        write_table(result.findings, output)
    except (OutputError, OSError) as error:
        _write_failed(output, error)
    if verbose:
        from rich.markup import escape

        for name, outline in result.outlines.items():
            counts = result.findings[result.findings["source"] == name]["kind"].value_counts()
            found = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "no findings"
            console.print(f"[bold]{escape(name)}[/bold]: {found}")
            for line in outline:
                console.print(f"  {escape(line)}")
    _print_summary(result, output)
    if result.errors or not files:
        raise typer.Exit(1)


def _table(title: str, *columns: str) -> Table:
    """A terminal table whose Thai column comes last, with no rule after it.

    Terminals disagree on the width of Thai vowel and tone marks; a Thai column anywhere but
    last would push the columns after it out of line in some of them.
    """
    from rich import box

    table = Table(title=title, box=box.SIMPLE_HEAD)
    for index, name in enumerate(columns):
        text_column = index == 0 or not name.isascii()
        table.add_column(name, justify="left" if text_column else "right")
    return table


def _print_summary(result, output: Path, counts=None) -> None:
    """The files read and refused, and the findings per kind (``counts``, a Series; by default
    counted in ``result.findings``)."""
    import pandas as pd

    from pipeline.shared.schema import col
    from pipeline.shared.vocabulary import KIND_TH

    if counts is None:
        findings = result.findings
        kinds = (
            findings[col.KIND]
            if col.KIND in findings.columns
            else pd.Series([None] * len(findings))
        )
        counts = kinds.value_counts(dropna=False)
    table = _table("Findings", "kind", "count", "ประเภท")
    for kind, count in counts.items():
        kind = kind if isinstance(kind, str) else "(none)"
        table.add_row(kind, str(count), KIND_TH.get(kind, "-"))
    total = int(counts.sum())
    table.add_row("[bold]all", f"[bold]{total}", "[bold]รวม")
    console.print(table)
    if result.repairs:
        repairs = ", ".join(f"{name} {n}" for name, n in sorted(result.repairs.items()))
        console.print(f"Repairs made: {repairs}")
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}", soft_wrap=True, highlight=False)
    refused = len(result.errors)
    console.print(
        f"Read {len(result.files)} file(s), refused {refused}; wrote {total} finding(s) to {output}"
    )
    for error in result.errors:
        _error(error)


def _model_or_exit(model: str | None, *, estimator: bool = True):
    """The model asked for, or a one-line error and exit 1; ``estimator=False``: what classifying
    needs alone (see ``load_model``)."""
    from pipeline.learning.models import ModelError, load_model

    try:
        return load_model(model, estimator=estimator)
    except ModelError as error:
        _error(str(error))
        raise typer.Exit(1) from None


def _models_dir(models_dir: Path | None) -> Path:
    from pipeline.shared.settings import models_dir as shipped

    return models_dir if models_dir is not None else shipped()


def _read_inputs(inputs, *, year, jobs, agency=None, committee=None):
    """Reports and findings tables as one findings table, with a progress bar over the files."""
    from pipeline.stages.parse import expand_paths, read_inputs

    with _progress(len(expand_paths(inputs))) as advance:
        return read_inputs(
            inputs,
            agency=agency,
            committee=committee,
            fiscal_year=year,
            on_file=advance,
            jobs=jobs,
        )


def _classified_inputs(inputs, loaded, *, year, jobs, agency=None, committee=None, engine="nlpo3"):
    """Read, tokenize and classify: the parse result and the classified findings."""
    from pipeline.stages.classify import classify as classify_stage
    from pipeline.stages.words import tokenize

    result = _read_inputs(inputs, year=year, jobs=jobs, agency=agency, committee=committee)
    findings = result.findings
    if findings.empty:
        return result, findings
    with console.status(f"Classifying {len(findings)} findings with {loaded.name}"):
        tokenized = tokenize(findings, engine=engine, jobs=jobs)
        return result, classify_stage(tokenized, loaded, jobs=jobs)


class _progress:
    """A progress bar over files, shown only when there is more than one."""

    def __init__(self, total: int):
        from rich.progress import Progress

        self.bar = Progress(console=console, transient=True, disable=total < 2)
        self.task = self.bar.add_task("Reading reports", total=total)

    def __enter__(self):
        self.bar.__enter__()
        return lambda _path: self.bar.advance(self.task)

    def __exit__(self, *exc):
        return self.bar.__exit__(*exc)


@app.command()
def classify(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Report files or folders, or a findings table (.jsonl, .csv with text)."
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help=".jsonl, .csv or .xlsx.")],
    model: Annotated[
        str | None, typer.Option(help="Model name under models/, or 'keywords'; default: DEFAULT.")
    ] = None,
    engine: Annotated[str, typer.Option(help="Tokenizer: nlpo3, newmm or newmm-safe.")] = "nlpo3",
    agency: Annotated[str | None, typer.Option(help="Agency of reports without one.")] = None,
    committee: Annotated[
        int | None, typer.Option(help="Committee of reports without one.", min=1, max=20)
    ] = None,
    year: YearOption = None,
    jobs: Annotated[
        int,
        typer.Option(
            help="Processes to use (-1: all cores, the default; a batch of one chunk runs in "
            "this process).",
            callback=_jobs_option,
        ),
    ] = -1,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Run on Dask: tcp://HOST:PORT of a cluster, or 'local' for one started for the "
            "run (--jobs workers; default one per core). Needs pip install 'thai-findings\\[dask]'."
        ),
    ] = None,
    chunk_size: Annotated[
        int, typer.Option(help="Findings read, classified and written at a time.", min=1)
    ] = 2000,
) -> None:
    """Parse, tokenize and classify: a category and a confidence for every finding.

    Inputs are read, and the output written, a chunk at a time: memory stays flat however many
    findings there are, and the output is the same with any --jobs or --scheduler.
    """
    from pipeline.batch.plan import BatchError
    from pipeline.batch.run import classify_batch
    from pipeline.batch.workers import DaskError, import_distributed
    from pipeline.learning.drift import drift_of_counts
    from pipeline.shared.tables import TABLE_SUFFIXES, OutputError
    from pipeline.stages.words import ENGINES

    if output.suffix.lower() not in TABLE_SUFFIXES:
        _error(f"{output}: unknown output format; use one of {', '.join(TABLE_SUFFIXES)}")
        raise typer.Exit(2)
    if engine not in ENGINES:
        _error(f"unknown tokenizer engine '{engine}'; expected one of {', '.join(ENGINES)}")
        raise typer.Exit(2)
    if scheduler:
        try:
            import_distributed()
        except DaskError as error:
            _error(str(error))
            raise typer.Exit(2) from None
    _refuse_overwriting_inputs([output], inputs)
    loaded = _model_or_exit(model, estimator=False)
    try:
        with _chunk_progress(f"Classifying with {loaded.name}") as on_chunk:
            result = classify_batch(
                inputs,
                output,
                loaded,
                engine=engine,
                jobs=jobs,
                scheduler=scheduler,
                rows=chunk_size,
                agency=agency,
                committee=committee,
                fiscal_year=year,
                on_chunk=on_chunk,
            )
    except (OutputError, OSError) as error:
        _write_failed(output, error)
    except (BatchError, DaskError) as error:
        _error(f"{error}; {output} left as it was")
        raise typer.Exit(1) from None
    _print_summary(result, output, result.kind_counts())
    if result.findings and "training_data" in loaded.card:
        _print_drift_report(drift_of_counts(result.drift, loaded))
    if result.findings:
        console.print(
            f"Model {loaded.name}: {result.sources.get('heading', 0)} from report headings, "
            f"{result.sources.get('model', 0)} by the model; {result.needs_review} flagged for "
            f"review (threshold {loaded.threshold:.2f})"
        )
    if result.errors:
        raise typer.Exit(1)


class _chunk_progress:
    """A progress bar over the chunks of a batch: on a terminal only, and only once the batch has
    taken more than a few seconds (a small batch is done before it would show)."""

    DELAY = 3.0

    def __init__(self, description: str):
        import time

        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("chunks"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self.description = description
        self.task = None
        self.started = time.monotonic()

    def __enter__(self):
        return self.update

    def update(self, done: int, total: int) -> None:
        import time

        if self.task is None:
            if not console.is_terminal or time.monotonic() - self.started < self.DELAY:
                return
            self.bar.start()
            self.task = self.bar.add_task(self.description, total=total)
        self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc):
        if self.task is not None:
            self.bar.stop()


def _print_drift(classified, loaded) -> None:
    """How the classified findings differ from the model's training data."""
    from pipeline.learning.drift import drift

    if classified.empty or "training_data" not in loaded.card:
        return
    _print_drift_report(drift(classified, loaded))


def _print_drift_report(report: dict) -> None:
    from pipeline.learning.drift import describe

    console.print(describe(report), highlight=False)
    if report["retrain"]:
        console.print(
            "[yellow]This year differs from the training data: consider reviewing and "
            "retraining (see README, 'A new fiscal year')."
        )


@app.command()
def train(
    name: Annotated[str, typer.Option(help="Folder name under models/ for the new model.")],
    corpus: Annotated[Path, typer.Option(help="The corpus folder.")] = CORPUS_DIR,
    years: Annotated[
        list[int] | None, typer.Option("--years", help="Fiscal years to train on (repeatable).")
    ] = None,
    extra: Annotated[bool, typer.Option(help="Include the extra (non-BMA) findings.")] = True,
    real: Annotated[
        bool | None,
        typer.Option(
            "--real/--no-real",
            help="Require (or leave out) the real findings of corpus/real; by default they are "
            "used when built (findings corpus build-real).",
        ),
    ] = None,
    default: Annotated[bool, typer.Option(help="Make the new model the default.")] = False,
    tune: Annotated[bool, typer.Option(help="Only print a grid of tuning scores.")] = False,
    models_dir: Annotated[
        Path | None, typer.Option(help="Where models live; default: the shipped models.")
    ] = None,
) -> None:
    """Train a model on the corpus, cross-validate it by report, and write it with its card."""
    models_dir = _models_dir(models_dir)
    from pipeline.learning.cards import set_default
    from pipeline.learning.corpus import CorpusError
    from pipeline.learning.models import save_model
    from pipeline.learning.train import train as train_model
    from pipeline.learning.train import tune as tune_grid

    try:
        if tune:
            with console.status("Cross-validating each setting"):
                grid = tune_grid(corpus)
            typer.echo(_markdown(grid.set_index("C")))
            return
        from pipeline.learning.corpus import real_labels_newer_than_texts

        if real is None and real_labels_newer_than_texts(corpus):
            _error(
                f"{corpus}/real: the real findings are not built; training without them "
                "(run `findings corpus build-real` to include them)"
            )
        with console.status("Training and cross-validating (about a minute)"):
            model, card = train_model(corpus, name=name, years=years, extra=extra, real=real)
    except CorpusError as error:
        _error(str(error))
        raise typer.Exit(1) from None
    folder = save_model(model, card, models_dir / name)
    if default:
        set_default(name, models_dir)
    typer.echo(_model_markdown(card))
    console.print(f"Wrote {folder}/" + (" (now the default)" if default else ""))


@app.command()
def evaluate(
    data: Annotated[Path, typer.Argument(help="A .jsonl of findings with text and label.")],
    model: Annotated[str | None, typer.Option(help="Model name, or 'keywords'.")] = None,
    engine: Annotated[str, typer.Option(help="Tokenizer engine.")] = "nlpo3",
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the metrics here.")
    ] = None,
) -> None:
    """Score a model on labelled findings: per-category P/R/F1, macro-F1, confusion matrix."""
    import json

    from pipeline.learning.evaluate import evaluate_labelled
    from pipeline.learning.models import ModelError, load_model
    from pipeline.shared.taxonomy import BY_ID, CATEGORY_IDS
    from pipeline.stages.read import InputError

    try:
        loaded = load_model(model)
        result = evaluate_labelled(data, loaded, engine=engine)
    except (ModelError, InputError) as error:
        _error(str(error))
        raise typer.Exit(1) from None
    title = f"{loaded.name} on {data} ({result['findings']} findings)"
    table = _table(title, "category", "precision", "recall", "F1", "support", "หมวด")
    for c, m in result["per_category"].items():
        scores = (f"{m[key]:.3f}" for key in ("precision", "recall", "f1"))
        table.add_row(c, *scores, str(m["support"]), BY_ID[c].th)
    console.print(table)
    console.print(f"macro-F1 {result['macro_f1']:.3f}   accuracy {result['accuracy']:.3f}")
    columns = ("", *(c[:5] for c in CATEGORY_IDS), "หมวด")
    confusion = _table("Confusion matrix (rows: true, columns: predicted)", *columns)
    for c, row in zip(CATEGORY_IDS, result["confusion"]):
        confusion.add_row(c, *map(str, row), BY_ID[c].th)
    console.print(confusion)
    if json_out:
        json_out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")


models_app = typer.Typer(help="Trained models and their cards.", invoke_without_command=True)
app.add_typer(models_app, name="models")


@models_app.callback()
def models(
    ctx: typer.Context,
    models_dir: Annotated[
        Path | None, typer.Option(help="Where models live; default: the shipped models.")
    ] = None,
) -> None:
    """List the models with their headline metrics; the default is marked."""
    models_dir = _models_dir(models_dir)
    if ctx.invoked_subcommand:
        return
    from pipeline.learning.cards import default_name, list_models

    default = default_name(models_dir)
    table = Table(title=f"Models in {models_dir}/")
    for column in (
        "",
        "name",
        "created",
        "trained on",
        "CV macro-F1",
        "keywords CV",
        "FY2565 real report",
        "review below",
    ):
        table.add_column(column)
    for card in list_models(models_dir):
        cv = card.get("cross_validation", {})
        seed = card.get("frozen_evaluation", {}).get("2565", {})
        data = card.get("training_data", {})
        table.add_row(
            "*" if card.get("name") == default else "",
            card.get("name", "?"),
            card.get("created", "?"),
            f"{data.get('findings', '?')} findings, "
            f"FY{'+'.join(map(str, data.get('fiscal_years', [])))}",
            _fmt(cv.get("model", {}).get("macro_f1")),
            _fmt(cv.get("keywords", {}).get("macro_f1")),
            _fmt(seed.get("model", {}).get("macro_f1")),
            _fmt(card.get("review_threshold")),
        )
    console.print(table)
    if default == "keywords":
        console.print("No default model: classify uses the keyword baseline.")


@models_app.command("show")
def models_show(
    name: Annotated[str, typer.Argument(help="Model name.")],
    models_dir: Annotated[
        Path | None, typer.Option(help="Where models live; default: the shipped models.")
    ] = None,
) -> None:
    """The card's results as Markdown tables (the README's tables are made with this)."""
    models_dir = _models_dir(models_dir)
    from pipeline.learning.cards import ModelError, read_card

    try:
        card = read_card(models_dir / name)
    except ModelError as error:
        _error(str(error))
        raise typer.Exit(1) from None
    typer.echo(_model_markdown(card))


@models_app.command("compare")
def models_compare(
    names: Annotated[list[str], typer.Argument(help="Two or more model names (or 'keywords').")],
    corpus: Annotated[Path, typer.Option(help="The corpus folder.")] = CORPUS_DIR,
    models_dir: Annotated[
        Path | None, typer.Option(help="Where models live; default: the shipped models.")
    ] = None,
) -> None:
    """The models' metrics on the same frozen evaluation sets, side by side, per category."""
    models_dir = _models_dir(models_dir)
    import pandas as pd

    from pipeline.learning.evaluate import compare_models
    from pipeline.learning.models import ModelError
    from pipeline.shared.taxonomy import CATEGORY_IDS

    try:
        comparison = compare_models(names, corpus, models_dir)
    except ModelError as error:
        _error(str(error))
        raise typer.Exit(1) from None
    if not comparison:
        _error(f"{corpus}: no frozen evaluation set (fy*/frozen_eval.json); train a model first")
        raise typer.Exit(1)
    for year, scores in comparison.items():
        count = scores.pop("_findings")
        rows = {
            c: {name: m["per_category"][c]["f1"] for name, m in scores.items()}
            for c in CATEGORY_IDS
        }
        rows["macro-F1"] = {name: m["macro_f1"] for name, m in scores.items()}
        rows["accuracy"] = {name: m["accuracy"] for name, m in scores.items()}
        typer.echo(f"\nFY{year} frozen set ({count} findings), F1 per category:\n")
        typer.echo(_markdown(pd.DataFrame(rows).T, "category"))


@models_app.command("promote")
def models_promote(
    name: Annotated[str, typer.Argument(help="The model to make the default.")],
    force: Annotated[
        bool, typer.Option(help="Promote even if it is worse; the card says so.")
    ] = False,
    tolerance: Annotated[float, typer.Option(help="Macro-F1 it may lose per frozen set.")] = 0.01,
    corpus: Annotated[Path, typer.Option(help="The corpus folder.")] = CORPUS_DIR,
    models_dir: Annotated[
        Path | None, typer.Option(help="Where models live; default: the shipped models.")
    ] = None,
) -> None:
    """Make NAME the default if it is not worse than the current one on every frozen set."""
    from pipeline.learning.evaluate import promote
    from pipeline.learning.models import ModelError

    try:
        record = promote(name, corpus, _models_dir(models_dir), tolerance=tolerance, force=force)
    except ModelError as error:
        _error(str(error))
        raise typer.Exit(1) from None
    current = record["replaced"]
    if current == name:
        console.print(f"{name} is already the default.")
        return
    for year, scores in record["frozen_macro_f1"].items():
        console.print(
            f"FY{year}: {name} {scores[name]:.3f}, {current} {scores[current]:.3f} (macro-F1)"
        )
    if not record["promoted"]:
        _error(
            f"{name} is worse than {current} by more than {tolerance}: "
            + "; ".join(record["reasons"])
            + " (use --force to promote it anyway)"
        )
        raise typer.Exit(1)
    forced = " (forced; the card records it)" if record["forced"] else ""
    console.print(f"{name} is now the default{forced}")


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def _model_markdown(card: dict) -> str:
    from pipeline.learning.cards import card_markdown

    return card_markdown(card)


@app.command()
def summarize(
    inputs: Annotated[list[Path], typer.Argument(help="Report files or folders of the year.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for the outputs.")
    ] = OUTPUT_DIR,
    model: Annotated[str | None, typer.Option(help="Model name; default: models/DEFAULT.")] = None,
    year: YearOption = None,
    compare: Annotated[
        Path | None, typer.Option(help="An earlier year's findings.xlsx to compare with.")
    ] = None,
    jobs: JobsOption = 1,
) -> None:
    """The year's work: parse, classify, count, and write the B3 summary, workbook and charts."""
    from pipeline.shared.tables import OutputError
    from pipeline.stages.report import OUTPUT_NAMES, make_reports, read_findings_workbook

    if output.exists() and not output.is_dir():
        _error(f"{output}: is a file; --output names the folder for the outputs")
        raise typer.Exit(2)
    _refuse_overwriting_inputs(
        [output / name for name in OUTPUT_NAMES], [*inputs, *([compare] if compare else [])]
    )
    loaded = _model_or_exit(model)
    try:
        earlier = read_findings_workbook(compare) if compare else None
    except ValueError as error:
        _error(str(error))
        raise typer.Exit(1) from None
    result, findings = _classified_inputs(inputs, loaded, year=year, jobs=jobs)
    if findings.empty:
        _print_summary(result, output)
        _error("no findings to summarize")
        raise typer.Exit(1)
    try:
        with console.status("Writing the workbook, the B3 summary and the charts"):
            paths = make_reports(findings, output, earlier)
    except (OutputError, OSError) as error:
        _write_failed(output, error)
    _print_summary(result, output)
    _print_drift(findings, loaded)
    review = int(findings["needs_review"].sum())
    console.print(f"Model {loaded.name}; {review} finding(s) flagged for review.")
    for label, path in (
        ("Workbook", paths["workbook"]),
        ("B3 summary (Word)", paths["docx"]),
        ("B3 summary (Markdown)", paths["markdown"]),
    ):
        console.print(f"{label}: {path}", highlight=False)
    for path in paths["charts"]:
        console.print(f"Chart: {path}", highlight=False)
    if result.errors:
        raise typer.Exit(1)


@app.command("domain-words")
def domain_words_command(
    engine: Annotated[str, typer.Option(help="pythainlp engine to check with.")] = "newmm",
) -> None:
    """How many of the shipped domain words pythainlp's own dictionary cuts into pieces."""
    from pipeline.stages.words import domain_words, split_domain_terms

    cut = split_domain_terms(engine)
    typer.echo(
        f"{len(cut)} of {len(domain_words())} domain words are cut by pythainlp's default "
        f"dictionary ({engine}); with the domain list added, all come out whole:"
    )
    for word, pieces in cut:
        typer.echo(f"  {word} → {'|'.join(pieces)}")


review_app = typer.Typer(help="Analysts review and correct the labels.", no_args_is_help=True)
app.add_typer(review_app, name="review")


@review_app.command("export")
def review_export(
    inputs: Annotated[list[Path], typer.Argument(help="Reports, folders or findings tables.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The review .xlsx to write.")],
    model: Annotated[str | None, typer.Option(help="Model name; default: models/DEFAULT.")] = None,
    year: YearOption = None,
    jobs: JobsOption = 1,
) -> None:
    """A review workbook: least certain first, with a drop-down for the analyst's category."""
    from pipeline.learning.review import export_review

    if output.suffix.lower() != ".xlsx":
        _error(f"{output}: the review workbook must be .xlsx")
        raise typer.Exit(2)
    _refuse_overwriting_inputs([output], inputs)
    loaded = _model_or_exit(model)
    result, classified = _classified_inputs(inputs, loaded, year=year, jobs=jobs)
    if classified.empty:
        _print_summary(result, output)
        _error("no findings to review")
        raise typer.Exit(1)
    try:
        export_review(classified, output)
    except (OSError, ValueError) as error:
        _write_failed(output, error)
    _print_summary(result, output)
    review = int(classified["needs_review"].sum())
    console.print(
        f"{review} of {len(classified)} findings need review; they come first in {output}"
    )
    if result.errors:
        raise typer.Exit(1)


@review_app.command("import")
def review_import(
    workbook: Annotated[Path, typer.Argument(help="The review .xlsx the analysts filled in.")],
    year: Annotated[
        int, typer.Option(help="Fiscal year whose labels to update.", min=2400, max=2800)
    ],
    corpus: Annotated[Path, typer.Option(help="The corpus folder.")] = CORPUS_DIR,
    by: Annotated[str | None, typer.Option(help="Who reviewed (recorded with each label).")] = None,
    replace: Annotated[
        bool, typer.Option(help="Replace earlier analyst labels that differ.")
    ] = False,
) -> None:
    """Put the analysts' categories into corpus/fyYEAR/labels.jsonl, keeping earlier labels."""
    from pipeline.learning.review import ReviewError, import_review

    try:
        result = import_review(workbook, year=year, corpus_dir=corpus, who=by, replace=replace)
    except ReviewError as error:
        for problem in error.problems:
            _error(problem)
        _error(f"{workbook}: nothing imported; fix the rows above and import again")
        raise typer.Exit(1) from None
    console.print(
        f"{result.path}: {result.applied} label(s) changed, {result.added} finding(s) added, "
        f"{result.unchanged} confirmed; {len(result.conflicts)} conflict(s)",
        highlight=False,
    )
    for line in result.conflicts:
        _error(line)
    if result.conflicts:
        raise typer.Exit(1)


@review_app.command("simulate")
def review_simulate(
    output: Annotated[Path, typer.Option("--output", "-o", help="The curve, as PNG.")] = Path(
        OUTPUT_DIR / "review_simulation.png"
    ),
    corpus: Annotated[Path, typer.Option(help="The corpus folder.")] = CORPUS_DIR,
    target: Annotated[float, typer.Option(help="Macro-F1 to reach.")] = 0.8,
    rounds: Annotated[int, typer.Option(help="Rounds of labelling.")] = 15,
    step: Annotated[int, typer.Option(help="Findings labelled per round.")] = 40,
) -> None:
    """Label the least certain first or at random: how many corrections reach a macro-F1."""
    from pipeline.learning.review import labels_to_reach, plot_simulation, simulate, simulation_sets

    try:
        pool, test = simulation_sets(corpus)
    except FileNotFoundError as error:
        _error(str(error))
        raise typer.Exit(1) from None
    with console.status("Simulating review rounds (a few minutes)"):
        curve = simulate(pool, test, step=step, rounds=rounds)
    plot_simulation(curve, output, target)
    mean = curve.groupby(["labelled", "strategy"])["macro_f1"].mean().unstack()
    typer.echo(_markdown(mean.round(3), "labelled"))
    reach = labels_to_reach(curve, target)
    typer.echo(
        f"\nTo reach macro-F1 {target} on the FY2566 frozen set ({len(test)} findings): "
        + ", ".join(f"{s} {n if n else 'not within the rounds'}" for s, n in reach.items())
    )
    console.print(f"Curve: {output}")


subthemes_app = typer.Typer(help="Sub-themes of the categories (the B3 summary's points).")
app.add_typer(subthemes_app, name="subthemes")


@subthemes_app.command("train")
def subthemes_train(
    model: Annotated[str, typer.Option(help="Model whose folder gets the sub-theme model.")] = (
        "default"
    ),
    corpus: Annotated[Path, typer.Option(help="Corpus folder.")] = CORPUS_DIR,
) -> None:
    """Train the sub-theme model on corpus/subthemes.jsonl, score it on the frozen sets, and save
    it beside MODEL's category model (figures in its card)."""
    from pipeline.learning import subtheme

    loaded = _model_or_exit(model)
    if loaded.folder is None:
        _error(f"{model}: the keyword baseline has no folder to save a sub-theme model in")
        raise typer.Exit(2)
    try:
        with console.status("Training the sub-theme model"):
            estimator, card = subtheme.train(corpus)
    except (ValueError, OSError) as error:
        _error(str(error))
        raise typer.Exit(1) from None
    subtheme.save(estimator, card, loaded.folder)
    console.print(subtheme.card_markdown(card), highlight=False)


corpus_app = typer.Typer(help="The labelled corpus.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")


def _markdown(frame, index_name: str = "") -> str:
    """A pandas table as Markdown, its index first."""
    from pipeline.shared.tables import markdown_table

    return markdown_table(frame, index_name or str(frame.index.name or ""))


@corpus_app.command("build-real")
def corpus_build_real(
    source: Annotated[
        Path,
        typer.Option(
            help="The sections file or its folder (../shared/sources), or clones of the corpora."
        ),
    ] = SOURCES_DIR,
    root: Annotated[Path, typer.Option("--corpus", help="The corpus folder.")] = CORPUS_DIR,
) -> None:
    """Materialise the real findings' texts from their source, checking every span's hash."""
    from pipeline.learning.corpus import REAL_LABELS, REAL_TEXTS
    from pipeline.learning.standoff import StandoffError, build_texts

    try:
        count = build_texts(root / REAL_LABELS, root / REAL_TEXTS, source)
    except StandoffError as error:
        _error(str(error))
        raise typer.Exit(1) from None
    console.print(f"{count} real spans written to {root / REAL_TEXTS}", highlight=False)


@corpus_app.command("stats")
def corpus_stats(
    root: Annotated[Path, typer.Option("--corpus", help="The corpus folder.")] = CORPUS_DIR,
) -> None:
    """Findings per category, kind, committee, format and agency, and the near-duplicate share."""
    from pipeline.learning.corpus import CorpusError, statistics_markdown

    try:
        typer.echo(statistics_markdown(root))
    except CorpusError as error:
        _error(str(error))
        raise typer.Exit(1) from None


if __name__ == "__main__":
    app()
