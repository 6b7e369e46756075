"""Two-step verification (django-otp): a time-based code from an authenticator
app after the password, and single-use recovery codes for a lost phone.

Every active staff member must give a code before any staff page or API
answers (casework.middleware.TwoStepRequiredMiddleware); an applicant may turn
it on from their account page. A session counts as verified once django-otp's
marker (the device's persistent id) is in it: the marker lives on the server,
and disabling the account or a new password ends the session itself
(casework.models.User.get_session_auth_hash), so no request reads the device
table to trust it.
"""

import base64
from dataclasses import dataclass
from urllib.parse import urlencode

import segno
from django.db import transaction
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django_otp import DEVICE_ID_SESSION_KEY, verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

# The session of an applicant who turned two-step verification on: their
# sign-in, too, waits for a code (staff always do; their role says so).
OPTED_IN_SESSION_KEY = "two_step_opted_in"
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery"
RECOVERY_CODE_COUNT = 10


def required(request) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    return user.active_staff_profile is not None or bool(request.session.get(OPTED_IN_SESSION_KEY))


def verified(request) -> bool:
    return DEVICE_ID_SESSION_KEY in request.session


def step_url(next_path: str) -> str:
    """The code step (or, before any authenticator, its set-up), then `next_path`."""
    return f"{reverse('two_step')}?{urlencode({'next': next_path})}"


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def authenticator_pending(*, user) -> TOTPDevice:
    """The authenticator being set up: the same key on every visit of the
    set-up page until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


@transaction.atomic
def authenticator_confirm(*, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm a pending authenticator with a code from it. On success the
    user's other authenticators are removed and new recovery codes are made
    (returned, to be shown once); None when the code is wrong."""
    if not device.verify_token(_digits(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    return recovery_codes_new(user=device.user)


@transaction.atomic
def recovery_codes_new(*, user) -> list[str]:
    """Ten new single-use recovery codes; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def two_step_turn_off(*, user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@dataclass(frozen=True)
class Check:
    device: TOTPDevice | StaticDevice | None
    # The device refuses codes for a few seconds after wrong ones (django-otp's throttling).
    throttled: bool = False

    @property
    def used_recovery_code(self) -> bool:
        return isinstance(self.device, StaticDevice)


def code_check(*, user, code: str) -> Check:
    """Check a code from the authenticator app (six digits) or a recovery code."""
    digits = _digits(code)
    if digits.isdigit() and len(digits) == 6:
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
        token = digits
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
        token = recovery_code_normalised(code)
    device = devices.first()
    if device is None:
        return Check(None)
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return Check(None, throttled=True)
    return Check(verify_token(user, device.persistent_id, token))


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def recovery_code_normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _digits(code: str) -> str:
    return "".join(code.split())


def key_for_people(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[index : index + 4] for index in range(0, len(key), 4))


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The key as a QR code, an inline SVG the page shows as it is.

    Safe to show unescaped: segno draws the code as one path of coordinates
    and writes none of the encoded text (the otpauth URL, which names the
    account's e-mail address) into the markup; no title, no script, no style
    (casework/tests/test_two_step.py checks it with a hostile address)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4, border=4, svgclass="qr-code__image")
    return mark_safe(svg)  # noqa: S308 (our own drawing, see above)
