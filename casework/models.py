"""People and case records over the shared `iset_intake` schema.

The tables belong to the SQL files in sql/migrations/; these models mirror them
column for column (`managed = False`) and a MariaDB test checks they agree.
Foreign keys say DO_NOTHING because the database's own constraints decide what
a delete does.
"""

import re

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from casework.fields import UnsignedBigAutoField

REFERENCE_NUMBER_PATTERN = re.compile(r"^ISET-\d{8}-[0-9A-F]{6}$")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")


class UserManager(BaseUserManager["User"]):
    def create_user(self, email, password=None, **fields):
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser):
    """Anyone who signs in: applicants, and staff (who also have a StaffProfile)."""

    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=150, default="")
    last_name = models.CharField(max_length=150, default="")
    preferred_language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Raised by the database whenever the account is disabled (is_active, or
    # the staff profile's status; sql/migrations/20261201_user_session_version.sql):
    # every session signed in before stops working, also after a re-enabling.
    session_version = models.PositiveIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    class Meta:
        managed = False
        db_table = "user"

    def __str__(self):
        return self.full_name or self.email

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    # Django keeps this hash in the session at sign-in and compares it on every
    # request (no query: the user row is read anyway). Besides the password
    # (a new password ends every session), it covers session_version.
    def get_session_auth_hash(self):
        return self._session_auth_hash(settings.SECRET_KEY)

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_auth_hash(fallback_secret)

    def _session_auth_hash(self, secret):
        return salted_hmac(
            "casework.User.session_auth_hash",
            f"{self.password}:{self.session_version}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def active_staff_profile(self):
        """The user's staff profile when it is active, else None (an applicant)."""
        try:
            profile = self.staff_profile
        except StaffProfile.DoesNotExist:
            return None
        return profile if profile.status == StaffProfile.Status.ACTIVE else None


class StaffProfile(models.Model):
    class Role(models.TextChoices):
        CASEWORKER = "caseworker", _("Caseworker")
        SUPERVISOR = "supervisor", _("Supervisor")
        ADMIN = "admin", _("Administrator")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DISABLED = "disabled", _("Disabled")

    id = UnsignedBigAutoField(primary_key=True)
    user = models.OneToOneField(User, models.DO_NOTHING, related_name="staff_profile")
    display_name = models.CharField(max_length=150)
    primary_role = models.CharField(max_length=20, choices=Role.choices, default=Role.CASEWORKER)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        managed = False
        db_table = "staff_profiles"

    def __str__(self):
        return self.display_name

    @property
    def sees_every_case(self):
        return self.primary_role in (self.Role.SUPERVISOR, self.Role.ADMIN)


class Submission(models.Model):
    """What an applicant submitted; its reference number is the booking reference."""

    user = models.ForeignKey(User, models.DO_NOTHING, related_name="submissions")
    reference_number = models.CharField(max_length=32, unique=True)
    status = models.CharField(max_length=20, default="submitted")
    submitted_at = models.DateTimeField(default=timezone.now)
    intake_payload = models.JSONField(null=True, blank=True)

    class Meta:
        managed = False
        db_table = "iset_application_submission"

    def __str__(self):
        return self.reference_number


class Application(models.Model):
    submission = models.ForeignKey(Submission, models.DO_NOTHING, related_name="applications")
    status = models.CharField(max_length=20, default="open")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        managed = False
        db_table = "iset_application"

    def __str__(self):
        return f"{self.submission.reference_number} #{self.pk}"


class Case(models.Model):
    application = models.OneToOneField(Application, models.DO_NOTHING, related_name="case")
    assigned_staff_profile = models.ForeignKey(
        StaffProfile, models.DO_NOTHING, null=True, blank=True, related_name="assigned_cases"
    )
    status = models.CharField(max_length=20, default="open")
    # Marked urgent by staff: the work queue's "Urgent" view.
    urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        managed = False
        db_table = "iset_case"

    def __str__(self):
        return f"Case {self.pk}"


class Document(models.Model):
    """A file in a case file (`iset_document`)."""

    class Source(models.TextChoices):
        SECURE_MESSAGE_ATTACHMENT = "secure_message_attachment", _("Secure message attachment")
        APPLICATION_SUBMISSION = "application_submission", _("Application submission")
        MANUAL_UPLOAD = "manual_upload", _("Manual upload")
        SYSTEM_GENERATED = "system_generated", _("System generated")

    case = models.ForeignKey(Case, models.DO_NOTHING, null=True, blank=True, related_name="documents")
    application = models.ForeignKey(Application, models.DO_NOTHING, null=True, blank=True, related_name="+")
    applicant_user = models.ForeignKey(User, models.DO_NOTHING, null=True, blank=True, related_name="+")
    uploaded_by_user = models.ForeignKey(User, models.DO_NOTHING, null=True, blank=True, related_name="+")
    origin_message = models.ForeignKey(
        "intake.Message", models.DO_NOTHING, null=True, blank=True, related_name="adopted_documents"
    )
    origin_attachment = models.OneToOneField(
        "intake.MessageAttachment", models.DO_NOTHING, null=True, blank=True, related_name="document"
    )
    source = models.CharField(max_length=40, choices=Source.choices)
    file_name = models.CharField(max_length=255)
    file_path = models.CharField(max_length=512, unique=True)
    mime_type = models.CharField(max_length=100)
    size_bytes = models.PositiveBigIntegerField()
    status = models.CharField(max_length=20, default="active")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        managed = False
        db_table = "iset_document"

    def __str__(self):
        return self.file_name
