"""Two-step sign-in in tests (clinic/two_factor.py): an authenticator app for a member of staff, and the
codes it would show, so tests pass the real second step instead of marking a session verified by hand."""

import time

from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import two_factor


def give_app(user) -> TOTPDevice:
    """The person's authenticator app, as if they had set it up (their recovery codes too)."""
    device = two_factor.app_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=two_factor.APP_DEVICE_NAME, confirmed=True)
        two_factor.replace_recovery_codes(user)
    return device


def code_at(key: bytes, t: int, digits: int = 6) -> str:
    return f"{hotp(key, t, digits=digits):0{digits}d}"


def current_step(device: TOTPDevice) -> int:
    return (int(time.time()) - device.t0) // device.step + device.drift


def app_code(device: TOTPDevice) -> str:
    """The code the app shows now, or the next one when now's was used already (a code works once; the
    server accepts the next step's code too). Waits for the next step when even that one was used."""
    device.refresh_from_db()
    step = max(current_step(device), device.last_t + 1)
    if step > current_step(device) + device.tolerance:
        time.sleep(device.step - int(time.time() - device.t0) % device.step + 0.1)
        step = max(current_step(device), device.last_t + 1)
    assert step <= current_step(device) + device.tolerance, "no unused code yet (is the clock frozen?)"
    return code_at(device.bin_key, step, device.digits)


def needs_second_step(user) -> bool:
    return two_factor.required_for(user) or two_factor.app_device(user) is not None


def pass_second_step(client, user) -> None:
    """After the password: the code from the person's app on the real second-step page."""
    response = client.post("/accounts/two-step/", {"code": app_code(give_app(user))})
    assert response.status_code == 302, "the second step of sign-in failed"
