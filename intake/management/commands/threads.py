"""`python manage.py threads --check | --repair`: prove the conversation
summaries equal a recomputation from `messages`, or make them so.

Exit codes: 0 all summaries are right (or were repaired), 1 --check found
differences (each one is printed), 2 usage error.
"""

from django.core.management.base import BaseCommand, CommandError

from intake.conversations import conversations_differences, conversations_repair
from intake.models import MessageEvent
from intake.services.events import event_record

FOUND_DIFFERENCES = 1


class Command(BaseCommand):
    help = "Check the conversation summaries against the messages (--check), or rewrite the wrong ones (--repair)."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="Report every difference; exit 1 if there is any.")
        action.add_argument("--repair", action="store_true", help="Rewrite the summaries that differ (audited).")

    def handle(self, *args, check, repair, **options):
        differences = conversations_differences()
        for difference in differences:
            self.stdout.write(str(difference))
        if not differences:
            self.stdout.write(self.style.SUCCESS("Every conversation summary equals its recomputation."))
            return
        if check:
            raise CommandError(
                f"{len(differences)} differences in {len({d.application_id for d in differences})} conversations; "
                "run `manage.py threads --repair` to fix them.",
                returncode=FOUND_DIFFERENCES,
            )
        repaired = conversations_repair(differences)
        event_record(
            event_type=MessageEvent.Type.CONVERSATIONS_REPAIRED,
            detail={
                "conversations": sorted({difference.application_id for difference in differences}),
                "fields": sorted({difference.field for difference in differences}),
            },
        )
        self.stdout.write(self.style.SUCCESS(f"Repaired {repaired} conversation summaries."))
