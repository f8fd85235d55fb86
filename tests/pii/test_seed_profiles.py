"""seed_profiles: Faker is a development extra; without it the command says how to
install it, and writes nothing."""

from __future__ import annotations

import random
import sys

import pytest
from django.core.management import CommandError, call_command

from pii.core.validators import is_e164
from pii.management.commands import seed_profiles
from pii.models import Profile

pytestmark = pytest.mark.django_db


def test_without_faker_the_command_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "faker", None)  # `import faker` raises ImportError

    with pytest.raises(CommandError, match=r"pip install -e '\.\[dev\]'"):
        call_command("seed_profiles", 5, workers=1, seed=1, verbosity=0)

    assert Profile.objects.count() == 0


@pytest.mark.parametrize("locale", list(seed_profiles.LOCALES))
def test_phones_are_e164(locale):
    rng = random.Random(7)

    assert all(is_e164(seed_profiles._phone(rng, locale)) for _ in range(50))
