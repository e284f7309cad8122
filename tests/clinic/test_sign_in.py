import pytest
from django.urls import reverse


def test_it_shows_the_sign_in_page(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in to Haven" in response.content


def test_it_signs_in_and_shows_a_clinician_their_day_then_their_home_page(client, physician, patient, password):
    response = client.post(reverse("login"), {"username": physician.username, "password": password}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("today:day"), 302)]
    home = client.get(reverse("home"))
    assert b"Hello, Ada" in home.content
    assert patient.family_name.encode() in home.content


def test_it_rotates_the_session_at_sign_in(client, physician, password):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("login"), {"username": physician.username, "password": password})
    assert client.session.session_key != before


def test_it_keeps_the_username_and_explains_a_wrong_password(client, physician):
    response = client.post(reverse("login"), {"username": physician.username, "password": "wrong"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content
    assert f'value="{physician.username}"'.encode() in response.content


@pytest.mark.django_db
def test_it_redirects_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_never_echoes_the_password_after_a_failure(client, physician):
    response = client.post(reverse("login"), {"username": physician.username, "password": "hunter2-typo"})
    assert b"hunter2-typo" not in response.content


def test_it_keeps_where_to_go_next_after_a_failure(client, physician):
    response = client.post(
        f"{reverse('login')}?next=/patients/",
        {"username": physician.username, "password": "wrong", "next": "/patients/"},
    )
    assert b'name="next" value="/patients/"' in response.content


def test_it_does_not_mention_a_lock_after_an_ordinary_failure(client, physician):
    response = client.post(reverse("login"), {"username": physician.username, "password": "wrong"})
    assert b"Too many unsuccessful sign-in attempts" not in response.content
