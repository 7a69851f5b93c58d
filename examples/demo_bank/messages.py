"""Every refusal or gap an applicant can meet, in plain bokmål and English, with what to do.

The gateway answers with stable codes (`no-data-for-period`, ...). They are for
programs: a page shows these words instead, never the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    nb: str  # what happened
    en: str
    next_nb: str  # what the applicant can do now
    next_en: str


# A part of the bundle that could not be fetched, by the gateway's problem code.
PART_FAILURES: Mapping[str, Message] = {
    "person-unknown-to-registry": Message(
        "Registeret har ingen opplysninger om deg.",
        "The registry has no information about you.",
        "En rådgiver tar kontakt og finner en annen måte å dokumentere dette på.",
        "An adviser will contact you to find another way to document this.",
    ),
    "no-data-for-period": Message(
        "Registeret har ingen opplysninger for perioden ennå, for eksempel fordi "
        "skatteoppgjøret ikke er ferdig.",
        "The registry has nothing for this period yet, for example because the tax "
        "assessment is not finished.",
        "Start en ny søknad og velg siste inntektsår med ferdig skatteoppgjør.",
        "Start a new application and choose the latest year with a finished assessment.",
    ),
    "registry-timeout": Message(
        "Registeret svarte ikke i tide.",
        "The registry did not answer in time.",
        "Hent opplysningene på nytt om litt.",
        "Fetch the information again in a little while.",
    ),
    "registry-unavailable": Message(
        "Registeret er ikke tilgjengelig akkurat nå.",
        "The registry is not available right now.",
        "Hent opplysningene på nytt om litt.",
        "Fetch the information again in a little while.",
    ),
}
PART_FAILED = Message(
    "Vi fikk ikke hentet denne delen.",
    "We could not fetch this part.",
    "Hent opplysningene på nytt om litt, eller vent til en rådgiver tar kontakt.",
    "Fetch the information again later, or wait for an adviser to contact you.",
)

# Why the gateway refused to create the consent request, by its problem code.
REQUEST_REFUSALS: Mapping[str, Message] = {
    "invalid-person-identifier": Message(
        "Fødselsnummeret er ikke gyldig.",
        "The national identity number is not valid.",
        "Sjekk at alle de 11 sifrene er riktige, og prøv igjen.",
        "Check that all 11 digits are right, and try again.",
    ),
    "rate-limited": Message(
        "Samtykkeløsningen har mye å gjøre akkurat nå.",
        "The consent service is busy right now.",
        "Prøv igjen om et minutt.",
        "Try again in a minute.",
    ),
}
REQUEST_REFUSED = Message(
    "Samtykkeløsningen tok ikke imot forespørselen.",
    "The consent service did not accept the request.",
    "Prøv igjen. Skjer det igjen, ta kontakt med oss.",
    "Try again. If it happens again, please contact us.",
)
NOT_REGISTERED = Message(
    "Banken er ikke registrert hos samtykkeløsningen.",
    "The bank is not registered with the consent service.",
    "Start demoen med make demo, som registrerer banken.",
    "Start the demo with make demo, which registers the bank.",
)
UNREACHABLE = Message(
    "Vi får ikke kontakt med samtykkeløsningen nå.",
    "We cannot reach the consent service right now.",
    "Prøv igjen om litt. Søknaden din er ikke borte.",
    "Try again in a little while. Your application is not lost.",
)

# Why a fetch under the consent was refused (refused.html), by the code the desk records.
FETCH_REFUSALS: Mapping[str, Message] = {
    "revoked": Message(
        "Du har trukket tilbake samtykket.",
        "You have revoked your consent.",
        "Ombestemmer du deg, kan du starte en ny søknad og gi et nytt samtykke.",
        "If you change your mind, start a new application and give a new consent.",
    ),
    "expired": Message(
        "Samtykket er utløpt.",
        "The consent has expired.",
        "Start en ny søknad og gi et nytt samtykke for å fortsette.",
        "Start a new application and give a new consent to go on.",
    ),
    "used": Message(
        "Samtykket gjaldt én henting, og den er gjort.",
        "The consent was for one fetch, and it has been made.",
        "Start en ny søknad hvis vi skal hente opplysningene på nytt.",
        "Start a new application if we are to fetch the information again.",
    ),
    "deleted": Message(
        "Forespørselen om samtykke er trukket tilbake.",
        "The consent request has been withdrawn.",
        "Start en ny søknad for å fortsette.",
        "Start a new application to go on.",
    ),
    "not-accepted": Message(
        "Du har ikke gitt samtykke.",
        "You have not given your consent.",
        "Start en ny søknad og svar på forespørselen om samtykke.",
        "Start a new application and answer the consent request.",
    ),
    "gateway-unavailable": UNREACHABLE,
}
FETCH_REFUSED = Message(
    "Samtykkeløsningen avviste hentingen.",
    "The consent service refused the fetch.",
    "Start en ny søknad for å fortsette.",
    "Start a new application to go on.",
)

# A consent request that is not (or no longer) accepted, by its status at the gateway.
STATUSES: Mapping[str, Message] = {
    "created": Message(
        "Du har ikke svart ennå.",
        "You have not answered yet.",
        "Svar på forespørselen om samtykke, så behandler vi søknaden.",
        "Answer the consent request, and we will process the application.",
    ),
    "expired": Message(
        "Forespørselen om samtykke ble ikke besvart i tide.",
        "The consent request was not answered in time.",
        "Start en ny søknad for å fortsette.",
        "Start a new application to go on.",
    ),
    "revoked": FETCH_REFUSALS["revoked"],
    "used": FETCH_REFUSALS["used"],
    "deleted": FETCH_REFUSALS["deleted"],
}
STATUS_UNKNOWN = Message(
    "Samtykket er ikke gitt, så vi kan ikke hente opplysningene.",
    "No consent has been given, so we cannot fetch the information.",
    "Start en ny søknad for å fortsette.",
    "Start a new application to go on.",
)

SHIELDED = Message(
    "Skatteetaten har skjermet opplysningene dine, så de kan ikke deles gjennom samtykke. "
    "Inntekt, formue og gjeld er derfor ikke vist her; de er ikke null.",
    "The Tax Administration shields your information, so it cannot be shared by consent. "
    "Income, wealth and debt are not shown here; they are not zero.",
    "Ta kontakt med en rådgiver. Du kan legge fram skatteoppgjøret ditt selv.",
    "Contact an adviser. You can hand in your tax assessment yourself.",
)


def part_failure(code: str) -> Message:
    return PART_FAILURES.get(code, PART_FAILED)


def request_refusal(code: str) -> Message:
    return REQUEST_REFUSALS.get(code, REQUEST_REFUSED)


def fetch_refusal(code: str) -> Message:
    return FETCH_REFUSALS.get(code, FETCH_REFUSED)


def status_message(status: str) -> Message:
    return STATUSES.get(status, STATUS_UNKNOWN)


NO_SUCH_APPLICATION = Message(
    "Vi finner ikke søknaden.",
    "We cannot find the application.",
    "Start en ny søknad, så hjelper vi deg videre.",
    "Start a new application, and we will help you on.",
)
