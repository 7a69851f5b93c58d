"""Who may consent for an organisation: the roles Altinn grants the sector access packages."""

from __future__ import annotations

import pytest

from consent.authority import (
    AUTHORISING_ROLES,
    Authority,
    AuthorityRefusal,
    AuthorityRefusalReason,
    HeldRole,
    Organisation,
    authority,
)

PERSON = "21818297804"
OTHER = "03859000087"
FISH = Organisation("911001004", "STRANDVIK HAVBRUK AS")


@pytest.mark.parametrize("code", sorted(AUTHORISING_ROLES))
def test_each_authorising_role_gives_authority(code: str) -> None:
    assert authority(PERSON, FISH, [HeldRole(code, PERSON)]) == Authority(
        FISH.organisation_number, FISH.name, code
    )


@pytest.mark.parametrize("code", ["MEDL", "NEST", "REVI", "REGN", "SIGN", "PROK", "VARA"])
def test_other_roles_give_none(code: str) -> None:
    assert authority(PERSON, FISH, [HeldRole(code, PERSON)]) == AuthorityRefusal(
        AuthorityRefusalReason.NO_AUTHORITY
    )


@pytest.mark.parametrize(
    ("organisation", "roles", "reason"),
    [
        (None, [], AuthorityRefusalReason.ORGANISATION_UNKNOWN),
        (
            Organisation("911000008", "GARD", removed=True),
            [HeldRole("INNH", PERSON)],
            AuthorityRefusalReason.ORGANISATION_REMOVED,
        ),
        (
            Organisation("911003007", "NESHEIM SJØMAT AS", bankrupt=True),
            [HeldRole("DAGL", PERSON)],
            AuthorityRefusalReason.ORGANISATION_BANKRUPT,
        ),
        (
            Organisation("911004003", "DALBY KORN AS", being_wound_up=True),
            [HeldRole("DAGL", PERSON)],
            AuthorityRefusalReason.ORGANISATION_BEING_WOUND_UP,
        ),
        (FISH, [HeldRole("DAGL", PERSON, resigned=True)], AuthorityRefusalReason.ROLE_ENDED),
        (FISH, [HeldRole("LEDE", PERSON, deregistered=True)], AuthorityRefusalReason.ROLE_ENDED),
        (FISH, [HeldRole("DAGL", OTHER)], AuthorityRefusalReason.NO_AUTHORITY),
        (FISH, [HeldRole("DAGL", None)], AuthorityRefusalReason.NO_AUTHORITY),
        (FISH, [], AuthorityRefusalReason.NO_AUTHORITY),
    ],
)
def test_refusals(
    organisation: Organisation | None, roles: list[HeldRole], reason: AuthorityRefusalReason
) -> None:
    decision = authority(PERSON, organisation, roles)
    assert decision == AuthorityRefusal(reason)
    assert not decision


def test_an_ended_role_does_not_hide_a_current_one() -> None:
    roles = [HeldRole("DAGL", PERSON, resigned=True), HeldRole("LEDE", PERSON)]
    assert authority(PERSON, FISH, roles) == Authority(FISH.organisation_number, FISH.name, "LEDE")


def test_the_owner_is_named_before_the_manager() -> None:
    roles = [HeldRole("DAGL", PERSON), HeldRole("INNH", PERSON)]
    decision = authority(PERSON, FISH, roles)
    assert isinstance(decision, Authority)
    assert decision.role == "INNH"
