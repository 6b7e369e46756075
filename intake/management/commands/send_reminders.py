"""`python manage.py send_reminders`: claim the unread reminders that are due
and queue their e-mails (intake/reminders.py), for cron where no resident
worker queues its periodic work. The worker (`manage.py worker`, or
`worker --once` from the same cron line) sends them.

Safe to re-run and to run twice at once: each message gets one reminder, ever.
"""

import time

from django.core.management.base import BaseCommand

from intake.reminders import reminders_queue


class Command(BaseCommand):
    help = "Queue one e-mail reminder for each staff message left unread past its delay. See docs/background-work.md."

    def handle(self, *args, **options):
        started = time.monotonic()
        queued = reminders_queue()
        self.stdout.write(f"Queued {queued} unread reminders in {time.monotonic() - started:.1f}s.")
