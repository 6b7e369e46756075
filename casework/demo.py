"""Two-step verification for the demo office's staff (`manage.py demo_data`).

Staff give a code from an authenticator app at every sign-in. So that anyone
trying the product can sign in as the demo staff, each of them gets an
authenticator whose key is fixed and public: derived from their address by
`demo_key`, printed by `make run` (to add to an app) and turned into the
current code by `manage.py demo_codes`. Only the demo office's addresses
(@iset.example) get one, and demo_codes prints codes only for devices that
have the demo key, so neither can reveal a real person's codes.
"""

import base64
import hashlib
import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.models import StaffProfile, User

DEMO_DOMAIN = "@iset.example"


def demo_key(email: str) -> str:
    """The demo authenticator key of an address: 20 bytes, as django-otp keeps it (hex)."""
    return hashlib.sha1(f"ISET demo authenticator {email}".encode()).hexdigest()


def demo_staff():
    return User.objects.filter(
        email__endswith=DEMO_DOMAIN, is_active=True, staff_profile__status=StaffProfile.Status.ACTIVE
    ).order_by("email")


def demo_authenticators_enrol(stdout) -> int:
    """Give each demo staff member without an authenticator the demo one, then
    print every demo key; safe to run again. Returns how many were added."""
    added = 0
    for user in demo_staff():
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="authenticator", key=demo_key(user.email), confirmed=True)
            added += 1
    lines = [
        f"  {device.user.email:<26} {_base32(device.key)}"
        for device in demo_devices()
    ]
    if lines:
        stdout.write(
            "\nStaff also give a code from an authenticator app. Demo keys (add one to any authenticator app):\n"
            + "\n".join(lines)
            + "\nOr print the current codes:  .venv/bin/python manage.py demo_codes\n"
        )
    return added


def demo_devices():
    """The confirmed authenticators that have their user's demo key."""
    devices = TOTPDevice.objects.filter(confirmed=True, user__email__endswith=DEMO_DOMAIN).select_related("user")
    return [device for device in devices.order_by("user__email") if device.key == demo_key(device.user.email)]


def current_code(device: TOTPDevice) -> tuple[str, int]:
    """The device's code now, and the seconds it stays current."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = time.time()
    totp.time = now
    seconds_left = device.step - int(now - device.t0) % device.step
    return f"{totp.token():0{device.digits}d}", seconds_left


def _base32(hex_key: str) -> str:
    key = base64.b32encode(bytes.fromhex(hex_key)).decode().rstrip("=")
    return " ".join(key[index : index + 4] for index in range(0, len(key), 4))
