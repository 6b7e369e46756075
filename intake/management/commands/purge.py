"""`python manage.py purge`: remove message data in the order the schema demands.

Thin: parses the scope, shows what would go, asks, reports progress and a
summary. The work is in intake/purge.py. Exit codes: 0 done or nothing to do,
1 failed part-way or another purge is running, 2 usage error (including "no
terminal to confirm on").
"""

import argparse
import json
import sys
from contextlib import nullcontext
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from common.ids import ID_MAX, id_parse
from intake.purge import (
    DEFAULT_BATCH_SIZE,
    PurgeBusy,
    PurgeFailed,
    Scope,
    ScopeError,
    purge_lock,
    purge_plan,
    purge_run,
)

USAGE = 2
FAILED = 1


def id_argument(value):
    number = id_parse(value)
    if number is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not an id (ASCII digits, 1 to {ID_MAX})")
    return number


def positive_int(value):
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0 or number > 2**31 - 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not an id (a positive whole number)")
    return number


def iso_day(value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date in the form YYYY-MM-DD") from None


class Command(BaseCommand):
    help = (
        "Remove secure messages in a scope, with their attachments (and, with --include-documents, the "
        "documents adopted from them), in batches, deleting stored files after each commit. See docs/purge.md."
    )
    # Tests hand in a stand-in for the terminal.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument(
            "--case", type=id_argument, action="append", dest="case_ids", metavar="ID", help="Repeatable."
        )
        scope.add_argument("--application", type=id_argument, dest="application_id", metavar="ID")
        scope.add_argument("--before", type=iso_day, metavar="YYYY-MM-DD", help="Messages created before that day.")
        scope.add_argument("--all", action="store_true", dest="everything")
        parser.add_argument(
            "--include-documents",
            action="store_true",
            help="Also delete the case-file documents adopted from these messages (default: keep them).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Show what would go; change nothing.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation (scheduled jobs).")
        parser.add_argument("--batch-size", type=positive_int, default=DEFAULT_BATCH_SIZE, metavar="N")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON on stdout.")

    def handle(self, *args, **options):
        self.as_json = options["json"]
        # With --json, stdout carries only the JSON; everything else goes to stderr.
        self.out = self.stderr if self.as_json else self.stdout
        stdin = options.get("stdin") or sys.stdin
        dry_run, yes = options["dry_run"], options["yes"]
        if not dry_run and not yes and not _isatty(stdin):
            raise CommandError(
                "Refusing to purge: no terminal to confirm on. Pass --yes to confirm, or --dry-run to look.",
                returncode=USAGE,
            )
        try:
            scope = Scope(
                case_ids=tuple(options["case_ids"] or ()),
                application_id=options["application_id"],
                before=options["before"],
                everything=options["everything"],
            )
            scope.check()
        except ScopeError as exc:
            raise CommandError(str(exc), returncode=USAGE) from None
        include_documents = options["include_documents"]
        # A dry run only reads, so it may look while another purge runs.
        try:
            with nullcontext() if dry_run else purge_lock():
                self._purge(scope, include_documents, dry_run, yes, stdin, options["batch_size"])
        except PurgeBusy as busy:
            raise CommandError(
                f"{busy} Nothing was changed; run it again when that one has finished.", returncode=FAILED
            ) from None

    def _purge(self, scope, include_documents, dry_run, yes, stdin, batch_size):
        plan = purge_plan(scope, include_documents=include_documents)
        self._plan_show(scope, plan, include_documents, dry_run)
        if dry_run:
            self._emit({"dry_run": True, "scope": scope.describe(), "plan": plan.as_dict()})
            return
        if plan.nothing_to_do:
            self.out.write("Nothing to purge.")
            self._emit({"dry_run": False, "scope": scope.describe(), "result": None, "nothing_to_do": True})
            return
        if not yes and not self._confirmed(stdin):
            raise CommandError("Not confirmed; nothing was changed.", returncode=USAGE)

        progress = _Progress(self.out, plan.messages)
        try:
            result = purge_run(
                scope,
                include_documents=include_documents,
                batch_size=batch_size,
                on_batch=progress.update,
            )
        except PurgeFailed as failure:
            progress.finish()
            self.out.write(f"Purge failed part-way ({failure}). Done before it stopped: {_counts_line(failure.result)}")
            self.out.write("Everything committed so far is consistent; run the same command again to finish.")
            self._emit(
                {"dry_run": False, "scope": scope.describe(), "result": failure.result.counts(), "error": str(failure)}
            )
            raise CommandError(f"Purge failed part-way: {failure}", returncode=FAILED) from None
        progress.finish()
        self.out.write(self.style.SUCCESS(f"Purged: {_counts_line(result)} in {result.seconds:.1f}s."))
        if result.runs_interrupted:
            self.out.write(f"Runs that were killed, now marked interrupted: events {_ids(result.runs_interrupted)}.")
        if result.runs_finished:
            self.out.write(f"Earlier runs this one finished: events {_ids(result.runs_finished)}.")
        self._emit(
            {
                "dry_run": False,
                "scope": scope.describe(),
                "result": result.counts(),
                "runs_interrupted": result.runs_interrupted,
                "runs_finished": result.runs_finished,
                "seconds": round(result.seconds, 3),
            }
        )
        if result.files_failed:
            raise CommandError(
                f"{len(result.files_failed)} stored files could not be deleted; the next run retries them.",
                returncode=FAILED,
            )

    def _plan_show(self, scope, plan, include_documents, dry_run):
        heading = "Would remove" if dry_run else "About to remove"
        lines = [
            f"{heading} (scope: {json.dumps(scope.describe())}):",
            f"  messages:            {plan.messages}",
            f"  message_attachment:  {plan.attachments}",
            f"  iset_document:       {plan.documents_deleted} deleted"
            + ("" if include_documents else " (adopted documents are kept; pass --include-documents)"),
            f"  documents unlinked:  {plan.documents_unlinked} (kept, origin link cleared)",
            f"  stored files:        {plan.files} ({_size(plan.file_bytes)})",
        ]
        if plan.pending_files:
            lines.append(f"  left by an interrupted run: {plan.pending_files} stored files to finish deleting")
        for line in lines:
            self.out.write(line)

    def _confirmed(self, stdin):
        self.out.write("Type 'yes' to purge: ", ending="")
        self.out.flush()
        return stdin.readline().strip().lower() in {"y", "yes"}

    def _emit(self, summary):
        if self.as_json:
            self.stdout.write(json.dumps(summary, sort_keys=True))


class _Progress:
    """A bar on a terminal; otherwise a plain line at most every few seconds (and the last one)."""

    WIDTH = 30
    INTERVAL = 5.0

    def __init__(self, out, total):
        self.out, self.total = out, max(total, 1)
        self.tty = _isatty(out)
        self.last_line = None
        self.drawn = False

    def update(self, result):
        if self.tty:
            filled = int(self.WIDTH * min(result.messages / self.total, 1))
            bar = "#" * filled + "." * (self.WIDTH - filled)
            self.out.write(f"\r[{bar}] {result.messages}/{self.total} messages", ending="")
            self.out.flush()
            self.drawn = True
        elif (
            self.last_line is None or result.seconds - self.last_line >= self.INTERVAL or result.messages >= self.total
        ):
            self.last_line = result.seconds
            self.out.write(
                f"progress: {result.messages}/{self.total} messages, {result.attachments} attachments, "
                f"batch {result.batches}, {result.seconds:.1f}s"
            )

    def finish(self):
        if self.drawn:
            self.out.write("")


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _counts_line(result):
    return (
        f"{result.messages} messages, {result.attachments} attachments, {result.documents_deleted} documents deleted, "
        f"{result.documents_unlinked} documents unlinked, {result.files_deleted} files deleted "
        f"({_size(result.file_bytes)}), {result.files_recovered} files from an interrupted run"
    )


def _ids(ids):
    return ", ".join(str(pk) for pk in ids)


def _size(n):
    if n < 1024:
        return f"{n} bytes"
    for unit in ("KB", "MB", "GB"):
        n /= 1024
        if n < 1024 or unit == "GB":
            return f"{n:.1f} {unit}"
