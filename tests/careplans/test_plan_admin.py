"""Tiers are clinic data: clinic admins rename and reword them in the admin; nobody adds or deletes one."""

from django.urls import reverse

from careplans.models import Tier


def test_a_clinic_admin_rewords_a_tier(signed_in, clinic_admin):
    client = signed_in(clinic_admin)
    tier = Tier.objects.get(number=1)
    url = reverse("admin:careplans_tier_change", args=[tier.pk])
    assert client.get(reverse("admin:careplans_tier_changelist")).status_code == 200
    response = client.post(url, {"name": "Learning and self-care", "description": "Sleep, pacing, movement."})
    assert response.status_code == 302
    tier.refresh_from_db()
    assert (tier.number, tier.name, tier.description) == (1, "Learning and self-care", "Sleep, pacing, movement.")


def test_nobody_adds_or_deletes_a_tier(signed_in, clinic_admin):
    client = signed_in(clinic_admin)
    assert client.get(reverse("admin:careplans_tier_add")).status_code == 403
    tier = Tier.objects.get(number=3)
    assert client.post(reverse("admin:careplans_tier_delete", args=[tier.pk]), {"post": "yes"}).status_code == 403
    assert Tier.objects.count() == 3


def test_clinicians_do_not_reach_the_tiers_in_the_admin(signed_in, physician):
    response = signed_in(physician).get(reverse("admin:careplans_tier_changelist"))
    assert response.status_code == 302  # to the admin's sign-in
