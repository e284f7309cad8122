"""Sign-out (Django's LogoutView): POST only, and it ends the session."""

from django.urls import reverse


def test_it_signs_out_on_post_and_ends_the_session(signed_in, physician):
    client = signed_in(physician)
    old_key = client.session.session_key

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert client.session.session_key != old_key
    assert client.get(reverse("home")).status_code == 302


def test_it_refuses_to_sign_out_on_get(signed_in, physician):
    client = signed_in(physician)

    response = client.get(reverse("logout"))

    assert response.status_code == 405
    assert client.get(reverse("home")).status_code == 200


def test_it_ends_the_session_on_the_server_not_only_in_the_browser(signed_in, physician):
    client = signed_in(physician)
    stolen_cookie = client.cookies["sessionid"].value
    client.post(reverse("logout"))

    client.cookies["sessionid"] = stolen_cookie

    assert client.get(reverse("home")).status_code == 302
