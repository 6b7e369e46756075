from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from casework.models import StaffProfile, User
from casework.services import applicant_create, application_submit, case_open, staff_create
from intake.services.sending import message_send_from_applicant, message_send_to_case

DEMO_PASSWORD = "demo-password-2025"


class Command(BaseCommand):
    help = "Fill an empty database with demo applicants, staff, cases and secure-message threads."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (successfully) when the database already has users.",
        )

    def handle(self, *args, if_empty, **options):
        if User.objects.exists():
            if if_empty:
                self.stdout.write("Demo data: the database already has users; nothing added.")
                self._print_sign_in()
                return
            raise CommandError("The database already has users; demo data only goes into an empty database.")
        # Demo people have no real mailboxes: no notification e-mails.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
            self._create()
        self.stdout.write(self.style.SUCCESS("Demo data created."))
        self._print_sign_in()

    def _create(self):
        caseworker = staff_create(
            email="caseworker@iset.example",
            password=DEMO_PASSWORD,
            first_name="Marie",
            last_name="Tremblay",
            role=StaffProfile.Role.CASEWORKER,
        )
        staff_create(
            email="supervisor@iset.example",
            password=DEMO_PASSWORD,
            first_name="Daniel",
            last_name="Whitehorse",
            role=StaffProfile.Role.SUPERVISOR,
        )
        staff_create(
            email="caseworker2@iset.example",
            password=DEMO_PASSWORD,
            first_name="Priya",
            last_name="Singh",
            role=StaffProfile.Role.CASEWORKER,
        )
        alice = applicant_create(
            email="alice@example.org",
            password=DEMO_PASSWORD,
            first_name="Alice",
            last_name="Morningstar",
        )
        benoit = applicant_create(
            email="benoit@example.org",
            password=DEMO_PASSWORD,
            first_name="Benoît",
            last_name="Gagnon",
            preferred_language="fr",
        )
        applicant_create(
            email="new.applicant@example.org",
            password=DEMO_PASSWORD,
            first_name="Noah",
            last_name="Cardinal",
        )

        alice_case = case_open(
            application=application_submit(applicant=alice, intake_payload={"program": "Heavy equipment operator"}),
            assigned_staff_profile=caseworker.staff_profile,
        )
        question = message_send_to_case(
            staff_user=caseworker,
            case=alice_case,
            subject="Documents needed for your training plan",
            body="Hello Alice,\n\nPlease send us your most recent pay stub so we can finish your file.\n\nMarie",
        )
        message_send_from_applicant(
            applicant=alice,
            reply_to=question,
            subject="Re: Documents needed for your training plan",
            body="Hi Marie,\n\nI will send it this week. Is a photo of the pay stub fine?\n\nAlice",
        )
        message_send_to_case(
            staff_user=caseworker,
            case=alice_case,
            subject="Your training start date",
            body="Hello Alice,\n\nYour course starts on the first Monday of next month.\n\nMarie",
            urgent=True,
        )

        # Benoît has two applications: one with an unassigned case, one not yet a case.
        benoit_case = case_open(
            application=application_submit(applicant=benoit, intake_payload={"program": "Préposé aux bénéficiaires"})
        )
        message_send_from_applicant(
            applicant=benoit,
            application=benoit_case.application,
            subject="Question sur mon dossier",
            body="Bonjour,\n\nQuand saurai-je si ma formation est approuvée ?\n\nBenoît",
        )
        second = application_submit(applicant=benoit, intake_payload={"program": "Comptabilité (cours du soir)"})
        message_send_from_applicant(
            applicant=benoit,
            application=second,
            subject="Deuxième demande",
            body="Bonjour,\n\nJ'ai déposé une deuxième demande pour un cours du soir.\n\nBenoît",
        )

    def _print_sign_in(self):
        self.stdout.write(
            f"\nSign in with any of these (password: {DEMO_PASSWORD}):\n"
            "  caseworker@iset.example    caseworker (assigned to Alice's case)\n"
            "  caseworker2@iset.example   caseworker (no cases)\n"
            "  supervisor@iset.example    supervisor (sees every case)\n"
            "  alice@example.org          applicant with a case and a thread\n"
            "  benoit@example.org         applicant (French) with two applications\n"
            "  new.applicant@example.org  applicant with no submission yet\n"
        )
