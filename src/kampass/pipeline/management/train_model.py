"""``kampass forecast train``: retrain the win-probability model on the closed opportunities in the
database, store the new model version and score every open opportunity (the same work as the
background training job, run in the foreground with a progress bar)."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser


def add_train_arguments(parser: CommandParser) -> None:
    parser.add_argument("--json", action="store_true", help="Print the new version and its scores as JSON.")
    parser.add_argument("--quiet", action="store_true", help="No progress bar.")
    parser.add_argument(
        "--allow-feature",
        action="append",
        default=[],
        metavar="NAME",
        help="Train although the leakage guard flags this feature (confirms it; repeatable).",
    )


def handle_train(command: BaseCommand, **options: Any) -> None:
    from kampass.common.cli import ProgressBar, system_actor
    from kampass.pipeline.services import training_job_create, training_job_run

    actor = system_actor()
    try:
        job = training_job_create(actor=actor, enqueue=False)
    except ValidationError as exc:  # one retraining at a time: another one is queued or running
        raise CommandError("; ".join(exc.messages)) from None
    bar = None if options["quiet"] or options["json"] else ProgressBar(sys.stderr)
    try:
        job = training_job_run(
            str(job.pk),
            progress=bar.update if bar else None,
            actor=actor,
            allow_features=tuple(options.get("allow_feature") or ()),
        )
    except ValidationError as exc:
        raise CommandError("; ".join(exc.messages)) from None
    finally:
        if bar:
            bar.close()
    version = job.model_version
    assert version is not None
    outcome = {
        "version": version.version,
        "training_rows": version.training_rows,
        "features": version.features,
        "scored": job.scored,
        "metrics": version.metrics,
    }
    if options["json"]:
        command.stdout.write(json.dumps(outcome))
        return
    command.stdout.write(
        f"Model {version.version} trained on {version.training_rows} closed opportunities "
        f"({', '.join(version.features)}); {job.scored} open opportunities scored."
    )
    for scorer in ("kampass", "base_rate", "naive_bayes"):
        s = version.metrics.get(scorer)
        if s:
            command.stdout.write(
                f"  {scorer:12} Brier {s['brier']:.4f}  log loss {s['log_loss']:.4f}  ECE {s['ece']:.4f}  "
                f"AUC {s['auc']:.4f}"
            )
