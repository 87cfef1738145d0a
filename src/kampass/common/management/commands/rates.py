"""``kampass rates load FILE [--source NAME]`` and ``kampass rates list``: exchange rates an administrator loads.

A rate file is CSV with a header ``date,currency,rate[,base]`` (see :mod:`kampass.common.exchange_rates`);
conversions prefer a loaded rate over the ECB reference rates shipped with kampass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Load exchange rate files and list the loaded rates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        load = sub.add_parser("load", help="Load a CSV rate file: date,currency,rate[,base] (base default EUR).")
        load.add_argument("file", metavar="FILE")
        load.add_argument(
            "--source", default="", metavar="NAME", help="Name of the rates' source (default: file name)."
        )
        sub.add_parser("list", help="List the loaded rates per source and currency.")

    def handle(self, *args: Any, **options: Any) -> None:
        from kampass.common.exchange_rates import RateFileInvalid, rate_summaries, rates_load

        if options["action"] == "load":
            try:
                loaded = rates_load(path=Path(options["file"]), source=options["source"])
            except RateFileInvalid as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                _("%(n)s rates loaded from %(source)s: %(currencies)s, %(first)s to %(last)s")
                % {
                    "n": loaded.rates,
                    "source": loaded.source,
                    "currencies": ", ".join(loaded.currencies) or "-",
                    "first": loaded.first_day or "-",
                    "last": loaded.last_day or "-",
                }
            )
            return
        summaries = rate_summaries()
        if not summaries:
            self.stdout.write(_("No rates loaded; conversions use the ECB reference rates."))
            return
        source, currency, count = _("source"), _("currency"), _("number of rates")
        first_day, last_day, loaded_at = _("first day"), _("last day"), _("loaded at")
        self.stdout.write(f"{source:<24} {currency:<8} {count:>6}  {first_day:<10}  {last_day:<10}  {loaded_at}")
        for s in summaries:
            self.stdout.write(
                f"{s.source[:24]:<24} {s.currency:<8} {s.rates:>6}  {s.first_day}  {s.last_day}  "
                f"{s.loaded_at:%Y-%m-%d %H:%M}"
            )
