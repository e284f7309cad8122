"""Version 1 of the clinic's written opioid policy: a SAMPLE in plain words, to edit before use.

Clinic admins publish their own text as version 2 (the policy page); agreements keep the version they were
signed under. The intervals follow REFERENCE.md 2.2 (toxicology "at least annually"; PDMP "every 3 months").
"""

from decimal import Decimal

from django.db import migrations

SAMPLE = "Sample text: the clinic edits this before using it with patients."

SECTIONS = [
    {
        "key": "about",
        "heading": "About this agreement",
        "text": (
            f"{SAMPLE} This agreement is about using opioid pain medicine safely. It is a plan we make together, "
            "so that your care is safe, fair and the same for everyone. You can ask questions at any time, and "
            "you can take a copy home."
        ),
    },
    {
        "key": "drug_screens",
        "heading": "Urine drug screens",
        "text": (
            f"{SAMPLE} We ask for a urine test when you start and at least once a year, sometimes more often. It "
            "is a routine safety check for everyone who takes these medicines. If a result surprises us, we talk "
            "with you about it first."
        ),
    },
    {
        "key": "refills",
        "heading": "Early refills and lost medication",
        "text": (
            f"{SAMPLE} Please keep your medicine in a safe place, out of sight, ideally locked. If you need a "
            "refill early, or your medicine is lost or stolen, call us. We will work out the safest next step "
            "together."
        ),
    },
    {
        "key": "self_escalation",
        "heading": "Taking more than prescribed",
        "text": (
            f"{SAMPLE} If the medicine is not helping enough, please tell us rather than taking more than your "
            "prescription says. Taking more can be dangerous, more so with alcohol, sleeping pills or anxiety "
            "medicines. We will look at other ways to help with you."
        ),
    },
    {
        "key": "flares",
        "heading": "Flare-ups",
        "text": (
            f"{SAMPLE} Flare-ups happen and they settle. Your flare-up plan lists what to do first. Call us if a "
            "flare does not settle the way your plan expects."
        ),
    },
    {
        "key": "medications",
        "heading": "Which medications",
        "text": (
            f"{SAMPLE} Get your pain medicines from one prescriber at this clinic and one pharmacy. Tell us about "
            "every medicine you take, including those from other doctors, and about alcohol or other drugs."
        ),
    },
    {
        "key": "dose_limits",
        "heading": "Dose limits",
        "text": (
            f"{SAMPLE} Your prescriber sets your dose with you; please do not change it on your own. Before any "
            "increase, we stop and look together at how the medicine helps you and what the risks are. At higher "
            "doses we offer naloxone, a medicine that can reverse an overdose, and show you and your family how "
            "to use it."
        ),
    },
    {
        "key": "breakthrough",
        "heading": "Breakthrough medication",
        "text": (
            f"{SAMPLE} Extra doses for breakthrough pain are only used when your prescriber has written them into "
            "your plan, with how much and how often."
        ),
    },
]


def create_sample_policy(apps, schema_editor):
    AgreementPolicy = apps.get_model("careplans", "AgreementPolicy")
    AgreementPolicy.objects.get_or_create(
        version=1,
        defaults=dict(
            sections=SECTIONS,
            drug_screen_every_days=365,
            pdmp_every_days=90,
            agreement_review_every_days=365,
            taper_reason_above_mme=Decimal(50),
        ),
    )


def remove_sample_policy(apps, schema_editor):
    AgreementPolicy = apps.get_model("careplans", "AgreementPolicy")
    AgreementPolicy.objects.filter(version=1, created_by__isnull=True, agreements__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("careplans", "0003_medications_and_opioid_safety")]

    operations = [migrations.RunPython(create_sample_policy, remove_sample_policy)]
