from django.core.management.base import BaseCommand

from casework.demo import current_code, demo_devices


class Command(BaseCommand):
    help = "Print the current two-step codes of the demo staff (their authenticators' keys are public demo keys)."

    def handle(self, *args, **options):
        devices = demo_devices()
        if not devices:
            self.stdout.write("No demo authenticators here (manage.py demo_data adds them).")
            return
        for device in devices:
            code, seconds = current_code(device)
            self.stdout.write(f"{device.user.email:<26} {code}  (for {seconds} more seconds)")
