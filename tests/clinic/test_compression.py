"""Pages are gzip-compressed for browsers that ask (clinic/compression.py), with Django's BREACH padding and
masked CSRF tokens; a patient link's own pages, which carry the link's token, are never compressed."""

import gzip

from django.urls import reverse

from portal.services import issue_link

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def test_a_staff_page_is_compressed_for_a_browser_that_asks_and_reads_the_same(signed_in, physician, patient):
    client = signed_in(physician)
    chart = reverse("patients:chart", args=[patient.public_id])
    plain = client.get(chart)
    packed = client.get(chart, **GZIP)
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    text = gzip.decompress(packed.content).decode()
    assert patient.full_name in text and len(packed.content) < len(plain.content) / 3


def test_two_compressed_answers_of_the_same_page_differ_in_size_or_token(signed_in, physician, patient):
    """What BREACH needs is a stable compressed size next to a stable secret: neither holds."""
    client = signed_in(physician)
    chart = reverse("patients:chart", args=[patient.public_id])
    first, second = (gzip.decompress(client.get(chart, **GZIP).content) for _ in range(2))
    assert first != second  # the masked CSRF tokens differ


def test_a_patient_links_own_pages_are_never_compressed(client, patient):
    _, token = issue_link(patient=patient)
    opened = client.get(reverse("portal:open", args=[token]), **GZIP)  # the "Continue" page
    assert opened.status_code == 200 and token in opened.content.decode()
    assert "Content-Encoding" not in opened
    asked = client.post(reverse("portal:new_link", args=[token]), **GZIP)  # "Send me a new link"
    assert asked.status_code == 200 and len(asked.content) > 200  # long enough that it would be compressed
    assert "Content-Encoding" not in asked
