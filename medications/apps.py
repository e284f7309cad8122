from django.apps import AppConfig


class MedicationsConfig(AppConfig):
    name = "medications"
    verbose_name = "Medications and opioid safety"

    def ready(self) -> None:
        # The taper rules are pure (no Django): they get Django's translation functions here, so a dose reads
        # "tome 1 tableta ..." on a Spanish-speaking patient's page.
        from django.utils.translation import gettext, ngettext

        from medications.rules import taper_doses

        taper_doses.use_translations(gettext=gettext, ngettext=ngettext)
