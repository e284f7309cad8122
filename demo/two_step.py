"""Two-step sign-in for the demo clinic (clinic/two_factor.py): every demo account whose role must use it
(the clinic admin, and any role named in TOTP_REQUIRED_FOR) gets an authenticator app and recovery codes, so
a reviewer can sign in as them; `demo_welcome` prints the app's key and the recovery codes next to the
sign-ins. Demo only: a real clinic never prints a key or a recovery code."""

from base64 import b32encode

from django_otp.plugins.otp_static.models import StaticToken

from clinic import two_factor
from clinic.models import User
from demo.clinic import DEMO_STAFF

# Below this many recovery codes left, the welcome makes a fresh set (each code works once).
TOP_UP_BELOW = 5


def demo_people_with_two_step() -> list[User]:
    people = User.objects.filter(username__in=[s["username"] for s in DEMO_STAFF]).order_by("username")
    return [person for person in people if two_factor.required_for(person)]


def seed_two_step() -> int:
    """An authenticator app and recovery codes for each demo account that must use two-step sign-in and has
    none yet; returns how many were set up."""
    made = 0
    for person in demo_people_with_two_step():
        if two_factor.app_device(person) is None:
            two_factor.TOTPDevice.objects.create(user=person, name=two_factor.APP_DEVICE_NAME, confirmed=True)
            two_factor.replace_recovery_codes(person)
            made += 1
    return made


def welcome_lines() -> str:
    """For `demo_welcome`: how to pass the second step as each of these demo accounts."""
    lines = []
    for person in demo_people_with_two_step():
        device = two_factor.app_device(person)
        if device is None:
            continue
        if two_factor.recovery_codes_left(person) < TOP_UP_BELOW:
            two_factor.replace_recovery_codes(person)
        codes = StaticToken.objects.filter(device__user=person).order_by("id").values_list("token", flat=True)
        lines += [
            f"    {person.username}: after the password, a code from an authenticator app with the key",
            f"      {two_factor.grouped(b32encode(device.bin_key).decode())}",
            "      or one of these recovery codes (each works once): " + " ".join(codes),
        ]
    if not lines:
        return ""
    heading = "  Two-step sign-in (clinic admins always; TOTP_REQUIRED_FOR names other roles):"
    return "\n".join([heading, *lines, ""]) + "\n"
