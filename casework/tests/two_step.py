"""Two-step verification in tests.

Staff sign in through the product with a code, like everyone: the browser
tests' sign_in() types one (tests/browser/conftest.py), and tests of the sign-in
itself post the password and the code (`code_for`).

Most tests of the Django test client instead start from `client.force_login(user)`:
they are about what a signed-in staff member sees, not about signing in. For
them, force_login counts as a complete staff sign-in: the receiver below marks
the session as verified, as the code step does. The marker names no device
row: the product trusts the marker, never reads the device back
(casework.two_step), and a device row would only get in the way of the
clean-up of the shared tables after transactional tests (its foreign key to
`user`). It only acts on the test client's own sign-in (a bare
HttpRequest: every real request is a WSGIRequest or an ASGIRequest), and this
module is imported only by the tests (through casework/tests/factories.py), so
the product's rule cannot be weakened by it: tests that sign in through the
sign-in page get the code step, and test_two_step.py checks that they do.
"""

import time

from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_authenticator(user) -> TOTPDevice:
    """The user's authenticator app, set up and confirmed (one is made if needed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def code_for(device: TOTPDevice) -> str:
    """A code the device accepts now: the current one, or the next one when
    the current one was used already (a code works once; the device accepts
    one step ahead). Waits for the next step if both were used."""
    while True:
        device.refresh_from_db()
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        step = max(totp.t(), device.last_t + 1)
        if step <= totp.t() + device.tolerance:
            totp.time = device.t0 + step * device.step
            return f"{totp.token():0{device.digits}d}"
        time.sleep(1)


FORCE_LOGIN_DEVICE_ID = f"{TOTPDevice.model_label()}/force-login"


def _force_login_is_a_complete_staff_sign_in(sender, request, user, **kwargs):
    if type(request) is not HttpRequest or user.active_staff_profile is None:
        return
    request.session[DEVICE_ID_SESSION_KEY] = FORCE_LOGIN_DEVICE_ID


user_logged_in.connect(_force_login_is_a_complete_staff_sign_in, dispatch_uid="tests.force_login_two_step")
