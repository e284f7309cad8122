"""The type checker runs in every `make test` (and in `make lint`): the modules listed in pyproject.toml's
[tool.mypy] files are clean."""

from django.conf import settings
from mypy import api


def test_the_type_checked_modules_have_no_type_errors():
    stdout, stderr, status = api.run(["--config-file", str(settings.BASE_DIR / "pyproject.toml")])
    assert status == 0, stdout + stderr
    assert "Success: no issues found" in stdout
