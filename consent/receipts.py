"""Consent receipts: the record a citizen and a bank keep of a consent, per ISO/IEC TS 27560.

A receipt exists once the citizen has accepted. It names the record, the
principal (the person; or the organisation, the person who acted for it and
their role), the controller and recipient (the bank), the purpose (the
bank's own words), the data categories (the products, their fields and
metadata), the validity, how to withdraw, and every event so
far, each with the audit entry that records it and the signed checkpoint
of the audit log that includes that entry. The gateway signs the
record as a JWS; this module only assembles it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from consent.audit import proofs
from consent.audit import repository as audit_repository
from consent.authority import on_behalf_of
from consent.catalogue import find
from consent.consents.lifecycle import utc
from consent.consents.models import Consent, ConsentEvent
from consent.parties import PartyType

SCHEMA = "ISO/IEC TS 27560:2023"
MEDIA_TYPE = "consent-receipt+jws"


class NoReceiptError(Exception):
    """The consent was never accepted, so there is nothing to give a receipt for."""


def checkpoint_reference(session: Session, audit_entry_id: str, *, keys_uri: str) -> dict[str, Any]:
    """Where `audit_entry_id` sits in the tamper-evident log, or that it is not placed yet.

    Once sequenced, the entry is named by its sequence number and the signed
    checkpoint made in the same round (the first tree that includes it), with
    the RFC 9162 inclusion proof of the entry under that checkpoint's root.
    Anyone can check the signature with the keys at `keys_uri` and recompute
    the root from the leaf hash and the proof. Until the sequencer has run,
    the receipt says "pending" rather than leaving the field out.
    """
    leaf = audit_repository.leaf_by_entry_id(session, audit_entry_id)
    checkpoint = (
        None
        if leaf is None
        else audit_repository.first_checkpoint_covering(session, leaf.sequence_number)
    )
    if leaf is None or checkpoint is None:
        return {"status": "pending"}
    try:
        proof = proofs.inclusion_proof(session, leaf.sequence_number, checkpoint.tree_size)
    except proofs.ProofUnavailableError:
        proof = None
    return {
        "status": "sequenced",
        "sequenceNumber": leaf.sequence_number,
        "treeSize": checkpoint.tree_size,
        "rootHash": bytes(checkpoint.root_hash).hex(),
        "signedAt": _iso(checkpoint.signed_at),
        "keyId": checkpoint.key_id,
        "signedCheckpoint": checkpoint.signature,
        "keysUri": keys_uri,
        "inclusionProof": None
        if proof is None
        else {
            "leafHash": proof.leaf_hash.hex(),
            "hashes": [digest.hex() for digest in proof.hashes],
        },
    }


def _iso(moment: datetime) -> str:
    return utc(moment).isoformat().replace("+00:00", "Z")


def _party(name: str, organisation_number: str) -> dict[str, str]:
    return {
        "name": name,
        "organisationNumber": organisation_number,
        "identifier": f"urn:altinn:organization:identifier-no:{organisation_number}",
    }


def _principal(consent: Consent) -> dict[str, Any]:
    """The party; for an organisation, also the person who consented for it and their role."""
    person = {"idType": "urn:altinn:person:identifier-no", "id": consent.person}
    if consent.party_type != PartyType.ORGANISATION.value:
        return person
    assert consent.organisation_number is not None
    name = consent.organisation_name or consent.organisation_number
    role = consent.authority_role or ""
    return {
        "idType": "urn:altinn:organization:identifier-no",
        "id": consent.organisation_number,
        "name": name,
        "actingPerson": {**person, "role": role},
        "onBehalfOf": {
            language: on_behalf_of(name, consent.organisation_number, role, language)
            for language in ("nb", "en")
        },
    }


def build_receipt(
    consent: Consent,
    events: Sequence[ConsentEvent],
    *,
    bank_name: str,
    issuer: str,
    withdrawal_uri: str,
    now: datetime,
    checkpoint_of: Callable[[str], dict[str, Any]],
) -> dict[str, Any]:
    if consent.accepted_at is None:
        raise NoReceiptError(consent.id)
    categories = []
    for right in consent.consent_rights:
        product_id = right["resource"][0]["value"]
        product = find(product_id)
        categories.append(
            {
                "product": product_id,
                "dataset": product.dataset if product else None,
                "source": product.registry if product else None,
                "title": {lang: text.title for lang, text in product.texts.items()}
                if product
                else {},
                "fields": list(product.fields) if product else [],
                "metadata": right["metadata"],
            }
        )
    bank = _party(bank_name, consent.bank_organisation_number)
    return {
        "schema": SCHEMA,
        "receiptId": str(uuid.uuid4()),
        "recordId": consent.id,
        "issuer": issuer,
        "issuedAt": _iso(now),
        "state": consent.status,
        "principal": _principal(consent),
        "controller": bank,
        "recipients": [bank],
        "purposes": [{"description": consent.request_message}],
        "dataCategories": categories,
        "oneTime": consent.one_time,
        "validity": {"from": _iso(consent.accepted_at), "to": _iso(consent.valid_to)},
        "withdrawal": {
            "method": "The person revokes the consent under 'My consents'; access ends at once.",
            "uri": withdrawal_uri,
        },
        "events": [
            {
                "type": event.event_type,
                "at": _iso(event.occurred_at),
                "actor": event.actor_type,
                "auditEntryId": event.audit_entry_id,
                "checkpoint": checkpoint_of(event.audit_entry_id),
            }
            for event in events
        ],
    }
