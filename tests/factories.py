"""factory-boy factories for the whole suite. Build complex states with real services instead."""

import datetime

import factory
from django.utils import timezone

from clinic.models import CareTeamMember, User
from clinic.roles import Discipline, Role
from patients.models import PainCondition, Patient

PASSWORD = "correct horse battery staple"


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@clinic.test")
    role = Role.CLINICIAN
    discipline = Discipline.NURSE
    password = factory.django.Password(PASSWORD)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient
        skip_postgeneration_save = True

    mrn = factory.Sequence(lambda n: f"{500000 + n}")  # clear of the cast's 100xxx MRNs
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    preferred_name = ""
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=90)
    primary_condition = PainCondition.LOW_BACK_PAIN
    email = factory.LazyAttribute(lambda p: f"patient{p.mrn}@example.test")
    mobile = ""
    consents_to_email = True
    created_at = factory.LazyFunction(timezone.now)
    search_name = ""

    @factory.post_generation
    def names(obj, create, extracted, **kwargs):
        obj.set_names(given=obj.given_name, family=obj.family_name, preferred=obj.preferred_name)
        if create:
            obj.save(update_fields=["given_name", "family_name", "preferred_name", "search_name"])

    class Params:
        born = factory.Trait(date_of_birth=datetime.date(1961, 4, 30))


class CareTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeamMember

    patient = factory.SubFactory(PatientFactory)
    member = factory.SubFactory(StaffFactory)
    is_lead = False
