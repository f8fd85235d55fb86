"""The detokenize resolver for address ids, registered from AddressesConfig.ready()."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from addresses.api.serializers import AddressSerializer
from addresses.selectors import addresses_by_ids


def resolve(ids: list[str], *, now: datetime) -> dict[str, dict[str, Any]]:
    """`{id: address JSON}`, shaped as GET answers, for the ids that are addresses.

    One query whatever len(ids). `now` is part of the resolver protocol;
    addresses do not expire.
    """
    return {address.pk: dict(AddressSerializer(address).data) for address in addresses_by_ids(ids)}
