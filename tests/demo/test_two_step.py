"""Two-step sign-in for the demo clinic (demo/two_step.py): the demo clinic admin passes the second step with
what `demo_welcome` prints, the authenticator app's key or a recovery code."""

import re
from base64 import b32decode

from django.urls import reverse
from django_otp.oath import totp

import demo.clinic
import demo.two_step
from clinic import two_factor
from clinic.models import User

VERIFY = "/accounts/two-step/"


def code_for(key: bytes) -> str:
    return f"{totp(key):06d}"


def test_the_demo_admin_signs_in_with_what_the_welcome_prints(client, db):
    demo.clinic.seed_staff()
    assert demo.two_step.seed_two_step() == 1
    assert demo.two_step.seed_two_step() == 0  # a second run adds nothing
    printed = demo.two_step.welcome_lines()
    assert "ingrid.larsen" in printed
    key = b32decode(re.search(r"with the key\n\s+([A-Z2-7 ]+)\n", printed).group(1).replace(" ", ""))
    codes = re.search(r"each works once\): ([a-z2-7 ]+)", printed).group(1).split()
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT
    admin = two_factor.app_device(User.objects.get(username="ingrid.larsen")).user

    client.post(reverse("login"), {"username": "ingrid.larsen", "password": demo.clinic.DEMO_PASSWORD})
    assert client.post(VERIFY, {"recovery_code": codes[0]})["Location"] == "/"
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "ingrid.larsen", "password": demo.clinic.DEMO_PASSWORD})
    assert client.post(VERIFY, {"code": code_for(key)})["Location"] == "/"
    assert client.get("/admin/").status_code == 200
    assert admin.is_clinic_admin
