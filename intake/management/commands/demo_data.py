"""`manage.py demo_data`: a realistic office to try the product with.

Three caseworkers and a supervisor, about forty applicants, and three weeks of
conversations: some answered, some waiting within the response target, some
waiting past it (settings.RESPONSE_TARGET_BUSINESS_DAYS), urgent cases,
unassigned cases, applications with messages and no case yet, one withdrawn
message, attachments with real file content.

Everything is written through the services the product itself uses (sending,
reading, withdrawal), so the audit trail, the stored files and the
conversation summaries are what a real office would have; then each row is
re-dated with a plain UPDATE to when it "happened" (the database's summary
triggers follow a re-dating). Times are drawn from a seeded random generator
relative to now: on weekdays in office hours for staff, mostly on weekdays for
applicants.
"""

import datetime
import random
import struct
import unicodedata
import zlib
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from casework.demo import demo_authenticators_enrol
from casework.models import Application, Case, Document, StaffProfile, User
from casework.services import applicant_create, application_submit, case_open, staff_create
from intake.business_days import is_business_day, overdue_threshold
from intake.models import Message, MessageAttachment, MessageEvent
from intake.services.assignment import case_assign
from intake.services.handling import case_urgency_set
from intake.services.read_state import message_mark_read
from intake.services.sending import message_send_from_applicant, message_send_to_case
from intake.services.withdrawal import message_withdraw

DEMO_PASSWORD = "demo-password-2025"
SEED = 20251127

SUPERVISOR = "supervisor@iset.example"
MARIE, PRIYA, SOPHIE = "caseworker@iset.example", "caseworker2@iset.example", "caseworker3@iset.example"
# email, first name, last name, role, language
TEAM = [
    (MARIE, "Marie", "Tremblay", StaffProfile.Role.CASEWORKER, "en"),
    (PRIYA, "Priya", "Singh", StaffProfile.Role.CASEWORKER, "en"),
    (SOPHIE, "Sophie", "Lavoie", StaffProfile.Role.CASEWORKER, "fr"),
    (SUPERVISOR, "Daniel", "Whitehorse", StaffProfile.Role.SUPERVISOR, "en"),
]
ALICE, BENOIT, NOAH = "alice@example.org", "benoit@example.org", "new.applicant@example.org"
# The applicants besides Alice, Benoît and Noah: first name, last name, language.
APPLICANTS = [
    ("Tanya", "Bellegarde", "en"),
    ("Kevin", "Okemaw", "en"),
    ("Raven", "Thunderchild", "en"),
    ("Samuel", "Desjarlais", "en"),
    ("Jordan", "Linklater", "en"),
    ("Shelby", "Cook", "en"),
    ("Marcus", "Fiddler", "en"),
    ("Leah", "Kakegamic", "en"),
    ("Darren", "Meekis", "en"),
    ("Aiyana", "Redsky", "en"),
    ("Caleb", "Sutherland", "en"),
    ("Destiny", "Moose", "en"),
    ("Ethan", "Kataquapit", "en"),
    ("Hannah", "Wesley", "en"),
    ("Isaac", "Beardy", "en"),
    ("Jasmine", "Okimaw", "en"),
    ("Logan", "Spence", "en"),
    ("Mackenzie", "Auger", "en"),
    ("Nathan", "Paul", "en"),
    ("Olivia", "Francis", "en"),
    ("Patrick", "Nanibush", "en"),
    ("Quinn", "Solomon", "en"),
    ("Rebecca", "Kejick", "en"),
    ("Shawn", "Mamakwa", "en"),
    ("Tara", "Goodwin", "en"),
    ("Tyler", "Stonechild", "en"),
    ("Violet", "Cheechoo", "en"),
    ("Wyatt", "Ermineskin", "en"),
    ("Cody", "Keeper", "en"),
    ("Autumn", "Whiteduck", "en"),
    ("Brandon", "Commanda", "en"),
    ("Cheyenne", "Manitowabi", "en"),
    ("Élise", "Picard", "fr"),
    ("Mathieu", "Kistabish", "fr"),
    # Below: no caseworker yet (two unassigned cases, one application without a case).
    ("Kaylee", "Swampy", "en"),
    ("Joseph", "Bighetty", "en"),
    ("Grace", "Mckay", "en"),
]
UNASSIGNED_CASE_APPLICANTS = 2  # of the last three above; Benoît's first case is the third unassigned case
# How many cases each caseworker has (Alice's case is Marie's).
CASELOADS = {MARIE: 12, PRIYA: 12, SOPHIE: 11}
# What each caseworker's cases look like today, one entry per case; shuffled.
# overdue: the applicant waits past the response target; waiting: within it;
# answered: staff had the last word, read by the applicant; new: staff wrote
# last, not read yet; opened: a new case without messages.
STATES = [
    *["overdue", "waiting", "answered", "new", "answered", "overdue"],
    *["waiting", "answered", "new", "opened", "answered", "waiting"],
]

PROGRAMS_EN = [
    "Heavy equipment operator",
    "Early childhood education",
    "Personal support worker",
    "Welding (level 1)",
    "Office administration",
    "Commercial truck driving (AZ licence)",
    "Carpentry pre-apprenticeship",
    "Community health representative",
    "Cook (Red Seal preparation)",
    "Electrical pre-apprenticeship",
]
PROGRAMS_FR = ["Préposé aux bénéficiaires", "Technique d'éducation à l'enfance", "Soutien informatique"]

A, S = "applicant", "staff"


@dataclass(frozen=True)
class Line:
    """One message of a story: who writes, what, and the files they attach."""

    author: str
    body: str
    files: tuple[str, ...] = ()


STORIES_EN = [
    (
        "Documents needed for your training plan",
        [
            Line(S, "Hello {first},\n\nTo finish your training plan we need your most recent pay stub or, if you are not working, a letter from your last employer.\n\nThank you,\n{staff}"),
            Line(A, "Hi {staff},\n\nHere is my last pay stub from the band office.\n\n{first}", ("pay-stub.pdf",)),
            Line(S, "Thank you {first}, we have it. I will let you know when your plan is ready to sign.\n\n{staff}"),
            Line(A, "Thanks! Do I need to come in to sign it or can I do it online?\n\n{first}"),
            Line(S, "You can sign it online; I will send you the link next week.\n\n{staff}"),
        ],
    ),
    (
        "Question about my start date",
        [
            Line(A, "Hello,\n\nI was told my course starts in January. Can you confirm the exact date? I need to tell my employer.\n\nThank you,\n{first}"),
            Line(S, "Hello {first},\n\nThe course starts on Monday, January 12. The college will e-mail you the orientation details.\n\n{staff}"),
            Line(A, "Great, thank you. Will ISET cover the textbooks too?\n\n{first}"),
            Line(S, "Yes, books and supplies are part of your approved budget. Keep the receipts and send them to us.\n\n{staff}"),
            Line(A, "Here is the receipt from the bookstore.\n\n{first}", ("bookstore-receipt.png",)),
        ],
    ),
    (
        "Childcare while I am in class",
        [
            Line(A, "Hi,\n\nMy daughter's daycare costs went up this month. Is there any help with childcare while I am in class?\n\n{first}"),
            Line(S, "Hello {first},\n\nYes, childcare can be part of your supports. Please send the daycare's invoice with its monthly amount.\n\n{staff}"),
            Line(A, "Here is the invoice from the daycare.\n\n{first}", ("daycare-invoice.pdf",)),
            Line(S, "Thank you. I have added childcare to your plan from next month.\n\n{staff}"),
        ],
    ),
    (
        "Travel to the training site",
        [
            Line(A, "Hello,\n\nThe course is two hours from my community. Can ISET help with gas or a bus pass?\n\n{first}"),
            Line(S, "Hello {first},\n\nWe can cover mileage at the program rate. Send us your class schedule so we can work out the days.\n\n{staff}"),
            Line(A, "My schedule is attached. Classes are Monday to Thursday.\n\n{first}", ("class-schedule.txt",)),
            Line(S, "Thanks, that works. Mileage will be paid every two weeks.\n\n{staff}"),
        ],
    ),
    (
        "Your application was received",
        [
            Line(S, "Hello {first},\n\nWe received your application and I am your caseworker. Could you send a copy of your status card or other proof of identity?\n\n{staff}"),
            Line(A, "Hi {staff}, here is a photo of my status card.\n\n{first}", ("status-card.png",)),
            Line(S, "Thank you, that is all we need for now. Your file goes to the review committee on Thursday.\n\n{staff}"),
            Line(A, "Thank you. When will I hear back from the committee?\n\n{first}"),
            Line(S, "The committee approved your training. Your plan is attached; please read it and tell me if anything is wrong.\n\n{staff}", ("training-plan.pdf",)),
        ],
    ),
    (
        "Missed classes because of illness",
        [
            Line(A, "Hello,\n\nI was sick and missed three days of class this week. Will that affect my living allowance?\n\n{first}"),
            Line(S, "Hello {first},\n\nI hope you are feeling better. Please send a note from the clinic and it will not affect your allowance.\n\n{staff}"),
            Line(A, "Here is the note from the nursing station.\n\n{first}", ("clinic-note.pdf",)),
            Line(S, "Received, thank you. Nothing changes for your allowance.\n\n{staff}"),
        ],
    ),
    (
        "Change of address",
        [
            Line(A, "Hi,\n\nI moved last week. My new address is 14 Birch Road. Do I need to fill out a form?\n\n{first}"),
            Line(S, "Hello {first},\n\nNo form needed; I have updated your file. Your next payment goes to the new address.\n\n{staff}"),
            Line(A, "Perfect, thank you! Does the bank deposit stay the same?\n\n{first}"),
            Line(S, "Yes, the deposit does not change.\n\n{staff}"),
        ],
    ),
    (
        "Safety boots and equipment",
        [
            Line(A, "Hello,\n\nThe welding course needs steel-toe boots and a helmet. Can I buy them and send the receipt?\n\n{first}"),
            Line(S, "Hello {first},\n\nYes, up to $350 for safety gear. Send the receipt and we will pay you back within two weeks.\n\n{staff}"),
            Line(A, "Receipt attached. The total was $312.\n\n{first}", ("safety-gear-receipt.pdf",)),
            Line(S, "Received, thank you. The payment is on its way.\n\n{staff}"),
        ],
    ),
]
STORIES_FR = [
    (
        "Documents à fournir",
        [
            Line(S, "Bonjour {first},\n\nPour compléter votre dossier, pourriez-vous nous envoyer une preuve de revenu récente ?\n\n{staff}"),
            Line(A, "Bonjour {staff},\n\nVoici mon dernier relevé de paie.\n\n{first}", ("releve-de-paie.pdf",)),
            Line(S, "Merci {first}, nous l'avons bien reçu.\n\n{staff}"),
            Line(A, "Merci ! Quand saurai-je si ma formation est approuvée ?\n\n{first}"),
            Line(S, "Le comité se réunit jeudi ; je vous écris dès que j'ai sa décision.\n\n{staff}"),
        ],
    ),
    (
        "Horaire des cours",
        [
            Line(A, "Bonjour,\n\nEst-ce que je peux suivre mes cours le soir tout en gardant mon emploi à temps partiel ?\n\n{first}"),
            Line(S, "Bonjour {first},\n\nOui, c'est possible. Envoyez-nous l'horaire du programme et nous adapterons votre plan.\n\n{staff}"),
            Line(A, "Voici l'horaire.\n\n{first}", ("horaire.txt",)),
            Line(S, "Merci, votre plan est à jour.\n\n{staff}"),
        ],
    ),
]
# The applicant with an application and no case yet writes twice.
FOLLOWING_UP = (
    "Checking on my application",
    [
        Line(A, "Hello,\n\nI submitted my application for the carpentry pre-apprenticeship. My letter of acceptance from the college is attached. Is there anything else you need from me?\n\n{first}", ("acceptance-letter.pdf",)),
        Line(A, "Hello again,\n\nJust following up on my message below. The program starts soon and I want to be sure my file is complete.\n\n{first}"),
    ],
)


def _pdf(*lines: str) -> bytes:
    """A small, valid one-page PDF showing `lines` (ASCII)."""
    shown = "".join(f"({line.replace('(', '[').replace(')', ']')}) '\n" for line in lines)
    stream = f"BT /F1 12 Tf 72 740 Td 16 TL\n{shown}ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
        " /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode("ascii")
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode("ascii")
    return out


def _png(width: int = 120, height: int = 76) -> bytes:
    """A small, valid PNG: a light card with a dark band and a square, like a photographed card or receipt."""

    def pixel(x: int, y: int) -> bytes:
        if y < 14:
            return b"\x1f\x3a\x5f"
        if 8 <= x < 40 and 22 <= y < 66:
            return b"\x8a\x9b\xad"
        return b"\xf4\xf1\xe8" if (y // 8) % 2 else b"\xfb\xf9\xf3"

    rows = b"".join(b"\x00" + b"".join(pixel(x, y) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PDF, PNG, TEXT = "application/pdf", "image/png", "text/plain"
FILES = {
    "pay-stub.pdf": (PDF, lambda: _pdf("Band office payroll", "Pay stub, two-week period", "Net pay: $1,234.56")),
    "pay-stub-photo.png": (PNG, _png),
    "bookstore-receipt.png": (PNG, _png),
    "daycare-invoice.pdf": (PDF, lambda: _pdf("Little Feathers Daycare", "Monthly invoice", "Full-time care: $640.00")),
    "class-schedule.txt": (TEXT, lambda: b"Class schedule\nMonday to Thursday, 8:30 to 15:30\nFriday: no class\n"),
    "status-card.png": (PNG, _png),
    "clinic-note.pdf": (PDF, lambda: _pdf("Nursing station", "Medical note", "Unable to attend class for three days.")),
    "safety-gear-receipt.pdf": (
        PDF,
        lambda: _pdf("Northern Work Wear", "Steel-toe boots $189.00", "Welding helmet $123.00", "Total $312.00"),
    ),
    "releve-de-paie.pdf": (PDF, lambda: _pdf("Releve de paie", "Periode de deux semaines", "Salaire net : 1 102,40 $")),
    "horaire.txt": (TEXT, lambda: "Horaire des cours\nDu lundi au jeudi, de 18 h à 21 h\n".encode()),
    "acceptance-letter.pdf": (PDF, lambda: _pdf("Northern College", "Letter of acceptance", "Carpentry")),
    "training-plan.pdf": (PDF, lambda: _pdf("ISET training plan", "Program, supports and schedule")),
    "funding-letter.pdf": (PDF, lambda: _pdf("ISET funding letter", "Tuition, books and living allowance")),
}


def _email(first: str, last: str) -> str:
    name = f"{first}.{last}".lower()
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() + "@example.org"


@dataclass
class Turn:
    """One message as it will be sent, and what happened to it afterwards."""

    by_applicant: bool
    at: datetime.datetime
    subject: str
    body: str
    files: tuple[str, ...] = ()
    urgent: bool = False
    read_at: datetime.datetime | None = None
    withdrawn_at: datetime.datetime | None = None


@dataclass
class Thread:
    """Where a conversation happens: a case (with its caseworker, or none) or an application alone."""

    applicant: User
    application: Application
    case: Case | None = None
    caseworker: User | None = None
    turns: list[Turn] = field(default_factory=list)
    urgent: bool = False


class Command(BaseCommand):
    help = "Fill an empty database with a demo office: staff, applicants, cases and three weeks of secure messages."

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
            counts = DemoOffice(now=timezone.now()).build()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data created: {staff} staff, {applicants} applicants, {cases} cases, {messages} messages.".format(
                    **counts
                )
            )
        )
        self._print_sign_in()

    def _print_sign_in(self):
        self.stdout.write(
            f"\nSign in with any of these (password: {DEMO_PASSWORD}):\n"
            f"  {SUPERVISOR:<26} supervisor Daniel Whitehorse: sees every case;"
            " 3 cases unassigned, 2 applications without a case\n"
            f"  {MARIE:<26} caseworker Marie Tremblay ({CASELOADS[MARIE]} cases, Alice's among them)\n"
            f"  {PRIYA:<26} caseworker Priya Singh ({CASELOADS[PRIYA]} cases)\n"
            f"  {SOPHIE:<26} caseworker Sophie Lavoie, in French ({CASELOADS[SOPHIE]} cases)\n"
            f"  {ALICE:<26} applicant with a case and a thread (Marie's)\n"
            f"  {BENOIT:<26} applicant (French) with two applications\n"
            f"  {NOAH:<26} applicant with no submission yet\n"
            f"  and {len(APPLICANTS)} more applicants: firstname.lastname@example.org,"
            f" e.g. {_email(*APPLICANTS[0][:2])}\n"
        )
        # Two-step verification (issue 15): the demo staff's authenticators, with public demo keys.
        demo_authenticators_enrol(self.stdout)


class DemoOffice:
    supervisor: User  # who assigns the cases, once the team exists

    def __init__(self, *, now: datetime.datetime):
        self.now = now
        # Who, what and in which state from one generator, when from another,
        # so that the office's make-up does not depend on the day it is built.
        self.rng = random.Random(SEED)
        self.clock = random.Random(SEED + 1)
        self.zone = timezone.get_default_timezone()
        self.target = settings.RESPONSE_TARGET_BUSINESS_DAYS
        # Business days on or before today, newest first: b[0] is today when it is one.
        self.business_days = self._business_days_back(40)
        self.users: list[User] = []
        self.reassigned_from: dict[str, User] = {}

    # The office ---------------------------------------------------------------

    def build(self) -> dict[str, int]:
        staff = {email: self._staff(email, first, last, role, language) for email, first, last, role, language in TEAM}
        self.supervisor = staff[SUPERVISOR]
        # Élise's case went to Priya first, then to Sophie, who works in French.
        self.reassigned_from = {_email("Élise", "Picard"): staff[PRIYA]}
        alice = self._applicant(ALICE, "Alice", "Morningstar", "en")
        benoit = self._applicant(BENOIT, "Benoît", "Gagnon", "fr")
        self._applicant(NOAH, "Noah", "Cardinal", "en")
        others = [self._applicant(_email(first, last), first, last, language) for first, last, language in APPLICANTS]

        threads = [self._alice(alice, staff[MARIE])]
        threads += self._benoit(benoit)
        assigned = others[: -UNASSIGNED_CASE_APPLICANTS - 1]
        french = [person for person in assigned if person.preferred_language == "fr"]
        english = [person for person in assigned if person.preferred_language != "fr"]
        caseloads = {MARIE: CASELOADS[MARIE] - 1, PRIYA: CASELOADS[PRIYA], SOPHIE: CASELOADS[SOPHIE] - len(french)}
        for email, count in caseloads.items():
            people = [english.pop(0) for _ in range(count)] + (french if email == SOPHIE else [])
            threads += self._caseload(staff[email], people)
        assert not english, "every applicant of APPLICANTS has a place"
        for person, state in zip(others[-UNASSIGNED_CASE_APPLICANTS - 1 : -1], ["overdue", "waiting"], strict=True):
            threads.append(self._unassigned(person, state))
        threads.append(self._without_case(others[-1]))

        for thread in threads:
            self._play(thread)
        # One password hash for every demo account: hashing it forty times
        # (PBKDF2) would take most of the run.
        User.objects.filter(pk__in=[user.pk for user in self.users]).update(password=make_password(DEMO_PASSWORD))
        return {
            "staff": len(staff),
            "applicants": len(self.users) - len(staff),
            "cases": sum(1 for thread in threads if thread.case is not None),
            "messages": sum(len(thread.turns) for thread in threads),
        }

    def _staff(self, email, first, last, role, language) -> User:
        user = staff_create(
            email=email, password=None, first_name=first, last_name=last, role=role, preferred_language=language
        )
        joined = self.now - datetime.timedelta(days=400 + self.clock.randrange(600))
        User.objects.filter(pk=user.pk).update(created_at=joined)
        StaffProfile.objects.filter(user=user).update(created_at=joined)
        self.users.append(user)
        return user

    def _applicant(self, email, first, last, language) -> User:
        user = applicant_create(
            email=email, password=None, first_name=first, last_name=last, preferred_language=language
        )
        self.users.append(user)
        return user

    def _application(self, applicant: User, program: str, submitted_at: datetime.datetime) -> Application:
        application = application_submit(
            applicant=applicant, intake_payload={"program": program}, submitted_at=submitted_at
        )
        User.objects.filter(pk=applicant.pk).update(created_at=submitted_at - datetime.timedelta(minutes=25))
        return application

    def _case(self, application: Application, caseworker: User | None, opened_at: datetime.datetime) -> Case:
        """A case opened at `opened_at` and, when a caseworker is named, assigned
        to them by the supervisor (an audit event in the case's history)."""
        case = case_open(application=application)
        if caseworker is not None:
            previous = self.reassigned_from.get(application.submission.user.email)
            if previous is not None:
                case_assign(actor=self.supervisor, case=case, caseworker=previous.staff_profile)
            case_assign(actor=self.supervisor, case=case, caseworker=caseworker.staff_profile)
        Case.objects.filter(pk=case.pk).update(created_at=opened_at)
        events = MessageEvent.objects.filter(case_id=case.pk, message_id__isnull=True).order_by("pk")
        for minutes, event in enumerate(events.values_list("pk", flat=True)):
            MessageEvent.objects.filter(pk=event).update(created_at=opened_at + datetime.timedelta(minutes=5 * minutes))
        return case

    # Who writes what ----------------------------------------------------------

    def _alice(self, alice: User, marie: User) -> Thread:
        """Alice's thread, the one the README points to: documents asked and
        sent, a letter sent with the wrong file and withdrawn, then the right
        one, and an urgent message she has not read yet."""
        b = self.business_days
        submitted = self._on(b[12], 20, 15)
        thread = Thread(alice, self._application(alice, "Heavy equipment operator", submitted), caseworker=marie)
        thread.case = self._case(thread.application, marie, self._on(b[11], 9, 5))
        documents, letter = "Documents needed for your training plan", "Your funding letter"
        thread.turns = [
            Turn(False, self._on(b[10], 10, 5), documents, "Hello Alice,\n\nPlease send us your most recent pay stub so we can finish your file.\n\nMarie", read_at=self._on(b[10], 19, 30)),
            Turn(True, self._on(b[10], 19, 42), f"Re: {documents}", "Hi Marie,\n\nI will send it this week. Is a photo of the pay stub fine?\n\nAlice", read_at=self._on(b[9], 9, 2)),
            Turn(False, self._on(b[9], 9, 20), f"Re: {documents}", "Hello Alice,\n\nYes, a clear photo is fine.\n\nMarie", read_at=self._on(b[9], 12, 48)),
            Turn(True, self._on(b[8], 12, 10), f"Re: {documents}", "Here is the photo of my pay stub.\n\nAlice", ("pay-stub-photo.png",), read_at=self._on(b[8], 14, 0)),
            Turn(False, self._on(b[5], 11, 0), letter, "Hello Alice,\n\nYour funding letter is attached.\n\nMarie", ("training-plan.pdf",), withdrawn_at=self._on(b[5], 11, 12)),
            Turn(False, self._on(b[5], 11, 20), letter, "Hello Alice,\n\nHere is your funding letter (the earlier message had the wrong file).\n\nMarie", ("funding-letter.pdf",), read_at=self._on(b[5], 18, 31)),
            Turn(False, self._on(b[2], 9, 30), "Your training start date", "Hello Alice,\n\nYour course starts on the first Monday of next month. Please confirm that you can attend the orientation day.\n\nMarie", urgent=True),
        ]
        return thread

    def _benoit(self, benoit: User) -> list[Thread]:
        """Benoît writes in French about two applications: one has a case nobody
        is assigned to yet (he waits past the target), the other no case."""
        first_at, second_at = self._overdue_time(), self._waiting_time()
        first = Thread(benoit, self._application(benoit, "Préposé aux bénéficiaires", self._before(first_at, days=3)))
        opened = self._before(first_at, days=1, after=first.application.created_at)
        first.case = self._case(first.application, None, opened)
        first.turns = [
            Turn(True, first_at, "Question sur mon dossier", "Bonjour,\n\nQuand saurai-je si ma formation est approuvée ?\n\nBenoît")
        ]
        submitted = self._before(second_at, days=1)
        second = Thread(benoit, self._application(benoit, "Comptabilité (cours du soir)", submitted))
        second.turns = [
            Turn(True, second_at, "Deuxième demande", "Bonjour,\n\nJ'ai déposé une deuxième demande pour un cours du soir.\n\nBenoît")
        ]
        return [first, second]

    def _caseload(self, caseworker: User, people: list[User]) -> list[Thread]:
        states = STATES[: len(people)]
        self.rng.shuffle(states)
        threads = [self._assigned(person, caseworker, state) for person, state in zip(people, states, strict=True)]
        # One urgent case each: an applicant who waits.
        next(thread for thread, state in zip(threads, states, strict=True) if state == "waiting").urgent = True
        return threads

    def _assigned(self, person: User, caseworker: User, state: str) -> Thread:
        french = person.preferred_language == "fr"
        program = self.rng.choice(PROGRAMS_FR if french else PROGRAMS_EN)
        if state == "opened":
            opened = self._staff_time_on(self.business_days[self.clock.randrange(1, 3)])
            application = self._application(person, program, self._before(opened, days=2))
            return Thread(person, application, self._case(application, caseworker, opened), caseworker)
        subject, lines = self.rng.choice(STORIES_FR if french else STORIES_EN)
        ends_with = A if state in ("overdue", "waiting") else S
        turns = self._story(subject, lines, ends_with, person, caseworker, state)
        application = self._application(person, program, self._before(turns[0].at, days=3))
        case = self._case(application, caseworker, self._before(turns[0].at, days=1, after=application.created_at))
        return Thread(person, application, case, caseworker, turns)

    def _unassigned(self, person: User, state: str) -> Thread:
        subject, lines = self.rng.choice([story for story in STORIES_EN if story[1][0].author == A])
        turns = self._story(subject, lines[:1], A, person, None, state)
        application = self._application(person, self.rng.choice(PROGRAMS_EN), self._before(turns[0].at, days=3))
        case = self._case(application, None, self._before(turns[0].at, days=1, after=application.created_at))
        return Thread(person, application, case, None, turns, urgent=state == "overdue")

    def _without_case(self, person: User) -> Thread:
        subject, lines = FOLLOWING_UP
        turns = self._story(subject, lines, A, person, None, "overdue")
        application = self._application(person, "Carpentry pre-apprenticeship", self._before(turns[0].at, days=2))
        return Thread(person, application, turns=turns)

    def _story(self, subject, lines, ends_with, person, caseworker, state) -> list[Turn]:
        """The first messages of a story, ending with `ends_with`'s, timed so
        that the conversation is in `state` now and began in the last three weeks."""
        ends = [index for index, line in enumerate(lines) if line.author == ends_with]
        names = {"first": person.first_name, "staff": caseworker.first_name if caseworker else ""}
        # Mostly the whole story so far, sometimes only its beginning.
        longest = ends[-1] if self.rng.random() < 0.6 else self.rng.choice(ends)
        # The chosen length, or a shorter one if it would begin more than three weeks ago.
        for end in [index for index in reversed(ends) if index <= longest]:
            chosen = lines[: end + 1]
            times = [self._final_time(state)]
            for line in reversed(chosen[:-1]):
                times.append(self._earlier(times[-1], line.author))
            times.reverse()
            if times[0] >= self.now - datetime.timedelta(days=21) or end == ends[0]:
                break
        reply_prefix = "RE : " if person.preferred_language == "fr" else "Re: "
        turns = []
        for index, (line, at) in enumerate(zip(chosen, times, strict=True)):
            shown_subject = subject if index == 0 else (reply_prefix + subject)
            turns.append(Turn(line.author == A, at, shown_subject, line.body.format(**names), line.files))
        # Each message was read before it was answered; the last one depends on the state.
        for turn, following in zip(turns, turns[1:], strict=False):
            if turn.by_applicant != following.by_applicant and (caseworker or not turn.by_applicant):
                turn.read_at = self._between(turn.at, following.at)
        last = turns[-1]
        if state == "answered" or (last.by_applicant and caseworker and self.rng.random() < 0.4):
            last.read_at = self._between(last.at, self.now)
        return turns

    # Sending ------------------------------------------------------------------

    def _play(self, thread: Thread) -> None:
        """Send the thread's messages in order through the services, then date
        each message, its files and its audit events to when it happened."""
        previous: Message | None = None
        for turn in thread.turns:
            files = [self._upload(name) for name in turn.files]
            # A "Re:" answers the message before it, if that came from the other side and still stands.
            answering = None
            if turn.subject.startswith(("Re: ", "RE : ")) and previous is not None and not previous.deleted:
                answering = previous if previous.from_applicant != turn.by_applicant else None
            if turn.by_applicant:
                about = {"reply_to": answering} if answering else {"application": thread.application}
                message = message_send_from_applicant(
                    applicant=thread.applicant, subject=turn.subject, body=turn.body, files=files, **about
                )
            else:
                assert thread.case is not None and thread.caseworker is not None
                message = message_send_to_case(
                    staff_user=thread.caseworker,
                    case=thread.case,
                    subject=turn.subject,
                    body=turn.body,
                    urgent=turn.urgent,
                    reply_to=answering,
                    files=files,
                )
            self._redate(message, turn.at)
            if turn.withdrawn_at is not None:
                assert thread.case is not None and thread.caseworker is not None
                message = message_withdraw(staff_user=thread.caseworker, case=thread.case, message=message)
                MessageEvent.objects.filter(message_id=message.pk, event_type=MessageEvent.Type.WITHDRAWN).update(
                    created_at=turn.withdrawn_at
                )
            if turn.read_at is not None:
                reader = thread.applicant if not turn.by_applicant else thread.caseworker
                assert reader is not None
                message_mark_read(message=message, reader=reader)
                Message.objects.filter(pk=message.pk).update(read_at=turn.read_at)
                MessageEvent.objects.filter(message_id=message.pk, event_type=MessageEvent.Type.READ).update(
                    created_at=turn.read_at
                )
            previous = message
        if thread.urgent:
            # Someone on staff marked the case urgent after reading the latest message.
            assert thread.case is not None
            case_urgency_set(staff_user=thread.caseworker or self.supervisor, case=thread.case, urgent=True)
            marked = MessageEvent.objects.filter(
                case_id=thread.case.pk, event_type=MessageEvent.Type.CASE_URGENCY_CHANGED
            )
            marked.update(created_at=self._between(thread.turns[-1].at, self.now))

    def _redate(self, message: Message, at: datetime.datetime) -> None:
        Message.objects.filter(pk=message.pk).update(created_at=at)
        MessageAttachment.objects.filter(message=message).update(uploaded_at=at)
        Document.objects.filter(origin_message=message).update(created_at=at)
        MessageEvent.objects.filter(message_id=message.pk).update(created_at=at)
        message.created_at = at

    def _upload(self, name: str) -> SimpleUploadedFile:
        content_type, content = FILES[name]
        return SimpleUploadedFile(name, content(), content_type=content_type)

    # Time ---------------------------------------------------------------------

    def _business_days_back(self, count: int) -> list[datetime.date]:
        days: list[datetime.date] = []
        day = timezone.localdate(self.now, self.zone)
        while len(days) < count:
            if is_business_day(day):
                days.append(day)
            day -= datetime.timedelta(days=1)
        return days

    def _on(self, day: datetime.date, hour: int, minute: int) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.zone)

    def _staff_time_on(self, day: datetime.date) -> datetime.datetime:
        return self._on(day, self.clock.randrange(8, 16), self.clock.randrange(60)) + datetime.timedelta(minutes=30)

    def _overdue_time(self) -> datetime.datetime:
        """A moment the applicant began waiting that is past the target today:
        on a business day at or before b(N+2) (see business_days.overdue_threshold)."""
        day = self.business_days[self.target + 1 + self.clock.randrange(4)]
        at = self._on(day, self.clock.randrange(8, 20), self.clock.randrange(60))
        assert at < overdue_threshold(self.now)
        return at

    def _waiting_time(self) -> datetime.datetime:
        """A moment within the target today (after the overdue threshold), by day when possible."""
        start, end = overdue_threshold(self.now), self.now - datetime.timedelta(minutes=20)
        if end <= start:  # just after midnight with a target of 0: the wait began a moment ago
            end = self.now
        at = start + (end - start) * self.clock.random()
        for _ in range(20):
            if 8 <= at.astimezone(self.zone).hour < 21:
                break
            at = start + (end - start) * self.clock.random()
        return at

    def _final_time(self, state: str) -> datetime.datetime:
        if state == "overdue":
            return self._overdue_time()
        if state == "waiting":
            return self._waiting_time()
        return self._staff_time_on(self.business_days[self.clock.randrange(1, 9)])

    def _earlier(self, later: datetime.datetime, author: str) -> datetime.datetime:
        """When the message before one written at `later` was written: a few
        hours to two days before, on a business day in office hours for staff,
        between 8:00 and 21:00 for applicants (on a weekend now and then)."""
        candidate = (later - datetime.timedelta(hours=self.clock.uniform(3, 48))).astimezone(self.zone)
        weekend_ok = author == A and self.clock.random() < 0.2
        hours = (datetime.time(8, 30), datetime.time(16, 45)) if author == S else (datetime.time(8), datetime.time(21))
        day = candidate.date()
        while True:
            workday = is_business_day(day) if author == S else day.weekday() < 5 or weekend_ok
            latest = min(candidate.time(), hours[1]) if day == candidate.date() else hours[1]
            span = (latest.hour * 60 + latest.minute) - (hours[0].hour * 60 + hours[0].minute)
            if workday and span > 0:
                minutes = hours[0].hour * 60 + hours[0].minute + self.clock.randrange(span)
                return self._on(day, minutes // 60, minutes % 60)
            day -= datetime.timedelta(days=1)

    def _between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.datetime:
        return start + (end - start) * self.clock.uniform(0.1, 0.8)

    def _before(
        self, moment: datetime.datetime, *, days: int, after: datetime.datetime | None = None
    ) -> datetime.datetime:
        """Some time in the `days` days before `moment` (and after `after`)."""
        earliest = max(moment - datetime.timedelta(days=days), after or moment - datetime.timedelta(days=days))
        return earliest + (moment - earliest) * self.clock.uniform(0.2, 0.9)
