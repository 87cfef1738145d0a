"""``kampass forecast evaluate FILE --target COLUMN --positive VALUE``: evaluate the win model on closed deals.

Reads a CSV file (plain or gzipped, ``.gz``; header line; LF or CRLF line ends), takes the rows whose
target column holds ``--positive`` as won (1) and all other rows with a target value as lost (0),
and runs :func:`kampass.core.forecasting.evaluate` -- stratified K-fold cross-validation fixed by
``--seed``, the same folds for the kampass model, the base rate and the naive-Bayes scorer.

Features are all columns except the target, the id column(s) and ``--exclude``. The id column:
``--id COLUMN`` (repeatable) names it; without ``--id``, a column is taken as an id when its name is
``id`` or ends in ``Number``, ``Id``, ``ID`` or ``_id`` (e.g. "Opportunity Number") *and* at least 90 %
of its values are distinct; the excluded id columns are named on stderr. Empty cells are missing
values; every other text (also "None") is a category of its own.

Output: ``--json`` prints the contract document ``{"rows", "folds", "seed", "kampass": {"brier",
"log_loss", "ece", "auc"}, "base_rate": {...}, "naive_bayes": {...}, "leakage": [{"column", "reason",
"evidence"}...]}``; without it a table. Progress goes to stderr. The leakage guard
(:mod:`kampass.core.forecasting.leakage`) names every column that alone separates won from lost almost
perfectly, numeric columns that look like final amounts (lost deals 0), and a near-perfect score; in
text mode each finding is printed as a warning (stderr and under the table); ``"leakage"`` is empty
when there is none. ``--predictions OUT.csv`` writes the out-of-fold probabilities of every scorer,
``row`` (1 = first data line of FILE), ``outcome`` (0/1), ``kampass``, ``base_rate``, ``naive_bayes``,
in full precision, so that the scores can be recomputed independently.

The command is built from subcommands (``SUBCOMMANDS``): a further one (e.g. ``train``) adds an
``add_<name>_arguments(parser)`` function and a ``handle_<name>(self, **options)`` method.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

ID_NAME = re.compile(r"(^id$|Number$|Id$|ID$|_id$)")
ID_DISTINCT_SHARE = 0.9


def add_evaluate_arguments(parser: CommandParser) -> None:
    """Arguments of ``forecast evaluate``."""
    parser.add_argument("file", metavar="FILE", help="CSV or gzipped CSV (.gz) of closed deals, with a header line.")
    parser.add_argument("--target", required=True, metavar="COLUMN", help="The column holding the outcome.")
    parser.add_argument("--positive", required=True, metavar="VALUE", help="The target value that means won.")
    parser.add_argument("--json", action="store_true", help="Print the scores as one JSON document.")
    parser.add_argument("--predictions", metavar="OUT.csv", help="Write the out-of-fold probabilities to this CSV.")
    parser.add_argument("--folds", type=int, default=5, help="Number of stratified folds (default 5).")
    parser.add_argument("--seed", type=int, default=0, help="Seed fixing the folds and the models (default 0).")
    parser.add_argument(
        "--exclude", nargs="+", action="extend", default=[], metavar="COL", help="Columns not to learn from."
    )
    parser.add_argument(
        "--id",
        action="append",
        default=None,
        metavar="COLUMN",
        help="Id column(s), not learnt from; default: detected (name 'id' or ending in Number/Id, mostly unique).",
    )


def add_train_arguments(parser: CommandParser) -> None:
    """Arguments of ``forecast train`` (see ``kampass.pipeline.management.train_model``)."""
    from kampass.pipeline.management.train_model import add_train_arguments as add

    add(parser)


def add_backtest_arguments(parser: CommandParser) -> None:
    """Arguments of ``forecast backtest`` (see ``kampass.pipeline.management.backtest``)."""
    from kampass.pipeline.management.backtest import add_backtest_arguments as add

    add(parser)


SUBCOMMANDS: dict[str, tuple[str, Callable[[CommandParser], None]]] = {
    "evaluate": ("Cross-validate the win model against base rate and naive Bayes.", add_evaluate_arguments),
    "train": ("Retrain the model on the closed opportunities and score the open ones.", add_train_arguments),
    "backtest": (
        "Temporal backtest of the model and its baselines on a CRM export: train on what was known at each "
        "origin, score what was open then, compare with what happened.",
        add_backtest_arguments,
    ),
}


def read_table(path: Path) -> Any:
    """The CSV file as a pyarrow Table (gzip by the .gz suffix); only empty cells are null."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if not path.is_file():
        raise CommandError(f"File not found: {path}")
    try:
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(null_values=[""], strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, OSError) as exc:
        raise CommandError(f"Cannot read {path} as CSV: {exc}") from None
    if table.num_rows == 0:
        raise CommandError(f"{path} has no data rows.")
    return table


def detect_ids(table: Any, candidates: list[str]) -> list[str]:
    """Columns named like an id whose values are at least 90 % distinct."""
    import pyarrow.compute as pc

    ids = []
    for name in candidates:
        if ID_NAME.search(name.strip()):
            distinct = pc.count_distinct(table.column(name)).as_py()
            if distinct >= ID_DISTINCT_SHARE * table.num_rows:
                ids.append(name)
    return ids


class Command(BaseCommand):
    help = (
        "Win-probability model: `evaluate FILE --target COLUMN --positive VALUE` cross-validates it on closed deals "
        "against the base rate and a naive-Bayes scorer (same folds)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        for name, (text, add) in SUBCOMMANDS.items():
            add(sub.add_parser(name, help=text, description=text))

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['action']}")(**options)

    def progress(self, text: str) -> None:
        self.stderr.write(text)
        self.stderr.flush()

    def handle_train(self, **options: Any) -> None:
        from kampass.pipeline.management.train_model import handle_train

        handle_train(self, **options)

    def handle_backtest(self, **options: Any) -> None:
        from kampass.pipeline.management.backtest import handle_backtest

        handle_backtest(self, **options)

    def handle_evaluate(self, **options: Any) -> None:
        import numpy as np
        import pyarrow as pa

        from kampass.core.forecasting import detect_leakage, evaluate, score_leakage

        path = Path(options["file"])
        target, positive, folds = options["target"], options["positive"], options["folds"]
        if folds < 2:
            raise CommandError("--folds must be at least 2.")
        table = read_table(path)
        columns = list(table.column_names)
        if target not in columns:
            raise CommandError(f"Target column {target!r} is not in {path}; columns: {', '.join(columns)}")
        unknown = [c for c in [*options["exclude"], *(options["id"] or [])] if c not in columns]
        if unknown:
            raise CommandError(
                f"Column(s) {', '.join(map(repr, unknown))} not in {path}; columns: {', '.join(columns)}"
            )
        values = ["" if v is None else str(v) for v in table.column(target).to_pylist()]
        present = [i for i, v in enumerate(values) if v != ""]
        counts = Counter(values[i] for i in present)
        # "Won", "won" and " WON " are the same outcome: exports differ in case and padding
        wanted = positive.strip().casefold()
        if not any(v.strip().casefold() == wanted for v in counts):
            seen = ", ".join(f"{v!r} ({n})" for v, n in counts.most_common(10))
            raise CommandError(f"The value {positive!r} never occurs in column {target!r}; values: {seen}")
        if len(present) < table.num_rows:
            self.progress(f"{table.num_rows - len(present)} row(s) without a value in {target!r} left out.")
        if len(present) < folds:
            raise CommandError(f"{len(present)} rows are fewer than the {folds} folds.")
        outcomes = np.asarray([1 if values[i].strip().casefold() == wanted else 0 for i in present], dtype=np.int64)
        if int(outcomes.sum()) < folds or len(outcomes) - int(outcomes.sum()) < folds:
            won = int(outcomes.sum())
            raise CommandError(
                f"{folds} folds need at least {folds} won and {folds} lost rows; "
                f"there are {won} won ({target} = {positive!r}) and {len(outcomes) - won} lost."
            )
        ids = options["id"] if options["id"] is not None else detect_ids(table, [c for c in columns if c != target])
        if ids and options["id"] is None:
            self.progress(f"Id column(s) not learnt from: {', '.join(ids)} (name them with --id to change).")
        features = [c for c in columns if c != target and c not in ids and c not in options["exclude"]]
        if not features:
            raise CommandError("No columns left to learn from.")
        rows = table.select(features)
        if len(present) < table.num_rows:
            rows = rows.take(pa.array(present))
        started = time.perf_counter()
        self.progress(f"Evaluating on {len(outcomes):,} rows, {len(features)} columns, {folds} folds ...")

        def tick(done: int, total: int) -> None:
            self.progress(f"  fold {done}/{total} done ({time.perf_counter() - started:.0f} s)")

        try:
            report = evaluate(rows, outcomes, folds=folds, seed=options["seed"], progress=tick)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if options["predictions"]:
            out = Path(options["predictions"])
            with out.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(["row", "outcome", "kampass", "base_rate", "naive_bayes"])
                p = report.predictions
                for j, i in enumerate(present):
                    writer.writerow(
                        [
                            i + 1,
                            int(report.outcomes[j]),
                            repr(float(p["kampass"][j])),
                            repr(float(p["base_rate"][j])),
                            repr(float(p["naive_bayes"][j])),
                        ]
                    )
            self.progress(f"Out-of-fold probabilities written to {out}")
        kampass = report.scores["kampass"]
        leakage = [
            *detect_leakage(rows, outcomes, seed=options["seed"]),
            *score_leakage(auc=kampass.auc, brier=kampass.brier),
        ]
        for finding in leakage:
            self.progress(f"Warning, possible leakage: {finding.column} ({finding.reason}): {finding.evidence}")
        if options["json"]:
            self.stdout.write(json.dumps(report.to_json() | {"leakage": [f.to_json() for f in leakage]}))
            return
        self.stdout.write(
            f"{report.rows:,} rows ({int(outcomes.sum()):,} won), {report.folds}-fold stratified cross-validation, "
            f"seed {report.seed}; training the kampass model took {report.train_seconds:.1f} s"
        )
        self.stdout.write(f"{'scorer':12} {'Brier':>8} {'log loss':>9} {'ECE':>8} {'ROC AUC':>8}")
        for name, s in report.scores.items():
            self.stdout.write(f"{name:12} {s.brier:8.4f} {s.log_loss:9.4f} {s.ece:8.4f} {s.auc:8.4f}")
        for finding in leakage:
            self.stdout.write(f"Warning, possible leakage: {finding.column} ({finding.reason}): {finding.evidence}")
        sys.stdout.flush()
