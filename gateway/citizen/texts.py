"""Every word the citizen's pages show, in bokmål (the default) and English."""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("nb", "en")
DEFAULT_LANGUAGE = "nb"

MONTHS: Mapping[str, tuple[str, ...]] = {
    "nb": (
        "januar", "februar", "mars", "april", "mai", "juni",
        "juli", "august", "september", "oktober", "november", "desember",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip

TEXTS: Mapping[str, Mapping[str, str]] = {
    "nb": {
        "site": "Samtykke",
        "skip": "Hopp til innholdet",
        "other_language": "English",
        "other_language_code": "en",
        "log_out": "Logg ut",
        "my_consents": "Mine samtykker",
        "request_title": "{bank} ber om samtykke",
        "for_enterprise": "for virksomheten med organisasjonsnummer {organisation}",
        "error_code": "Kode",
        "pick_enterprise": "Organisasjonsnummeret til virksomheten du svarer for",
        "pick_enterprise_note": (
            "Ni sifre. Vi sjekker i Enhetsregisteret at du har en rolle som gir deg fullmakt."
        ),
        "refused_invalid-organisation-identifier": (
            "Organisasjonsnummeret er ikke gyldig. Det har ni sifre; sjekk det og prøv igjen."
        ),
        "authority_refused_title": "Du kan ikke samtykke for denne virksomheten",
        "refused_organisation-unknown": (
            "Virksomheten finnes ikke i Enhetsregisteret. Sjekk organisasjonsnummeret med banken."
        ),
        "refused_organisation-removed": "Virksomheten er slettet fra Enhetsregisteret.",
        "refused_organisation-bankrupt": (
            "Virksomheten er konkurs. Ingen kan gi samtykke på vegne av et konkursbo her."
        ),
        "refused_organisation-being-wound-up": (
            "Virksomheten er under avvikling, og ingen kan gi samtykke på vegne av den."
        ),
        "refused_role-ended": (
            "Enhetsregisteret viser at rollen din i virksomheten er avsluttet. Bare den som nå "
            "har en rolle med fullmakt, kan samtykke."
        ),
        "refused_no-authority": (
            "Enhetsregisteret viser ingen rolle som gir deg fullmakt til å samtykke for "
            "virksomheten. Det kan daglig leder, styrets leder, innehaver, deltaker, "
            "komplementar, bestyrende reder, norsk representant eller bostyrer."
        ),
        "refused_not-sole-proprietor": (
            "Banken ber om innehaverens egne skatteopplysninger. Bare innehaveren av "
            "enkeltpersonforetaket kan dele dem."
        ),
        "refused_roles-unavailable": (
            "Vi fikk ikke svar fra Enhetsregisteret, så vi kan ikke sjekke fullmakten din nå. "
            "Ingenting er lagret. Prøv igjen om litt."
        ),
        "organisation_number": "Organisasjonsnummer",
        "intro": "{bank} vil hente disse opplysningene om deg direkte fra offentlige registre:",
        "purpose": "Formål, med bankens egne ord",
        "period_year": "Inntektsår {year}",
        "period_months": "{first} til og med {last}",
        "period_now": "Slik opplysningene står når banken henter dem",
        "answer_budget": "Banken kan spørre høyst {budget} ganger mens samtykket varer.",
        "source": "Kilde",
        "validity": "Hvor lenge",
        "valid_until": "Samtykket gjelder til og med {date}, om du ikke trekker det tilbake før.",
        "one_time": "Banken kan hente opplysningene én gang.",
        "repeated": "Banken kan hente opplysningene flere ganger i perioden.",
        "if_refused": "Hvis du sier nei",
        "refusal_consequence": (
            "Ingenting blir delt. Banken kan be deg om opplysningene på en annen måte, "
            "for eksempel ved at du laster opp dokumenter selv."
        ),
        "withdraw_note": "Du kan trekke samtykket tilbake når som helst under «Mine samtykker».",
        "accept": "Ja, jeg samtykker",
        "refuse": "Nei, jeg samtykker ikke",
        "answer": "Ditt svar",
        "not_yours_title": "Denne forespørselen gjelder ikke deg",
        "not_yours": (
            "Du er logget inn som en annen person enn den forespørselen gjelder. Bare personen "
            "forespørselen gjelder, kan svare på den. Logg ut hvis du vil logge inn som en annen."
        ),
        "not_found_title": "Fant ikke forespørselen",
        "not_found": "Lenken er feil, eller forespørselen finnes ikke lenger.",
        "answered_title": "Forespørselen er allerede besvart",
        "expired_title": "Forespørselen er utløpt",
        "expired": (
            "Fristen for å svare har gått ut. Ta kontakt med banken hvis du fortsatt vil dele "
            "opplysningene; banken må da sende en ny forespørsel."
        ),
        "withdrawn_title": "Banken har trukket forespørselen tilbake",
        "authorization_gone_title": "Forespørselen kan ikke lenger besvares",
        "authorization_gone": (
            "Den er allerede besvart, eller tiden for å svare har gått ut. Ingenting er delt. "
            "Gå tilbake til banken og start på nytt hvis du vil dele opplysningene."
        ),
        "bad_authorization_title": "Bankens forespørsel kan ikke vises",
        "bad_authorization": (
            "Forespørselen fra banken er ikke gyldig, for eksempel fordi den ber om en periode "
            "som ikke finnes ennå. Ingenting er delt. Ta kontakt med banken."
        ),
        "status_now": "Status nå: {status}.",
        "see_my_consents": "Se mine samtykker",
        "csrf_title": "Skjemaet kunne ikke sendes",
        "csrf": "Siden var for gammel, eller skjemaet kom ikke fra denne tjenesten. Prøv igjen.",
        "login_failed_title": "Innloggingen mislyktes",
        "login_failed": "Vi fikk ikke logget deg inn med ID-porten. Prøv igjen.",
        "session_ended_title": "Du er logget ut",
        "session_ended": (
            "Økten din ble avsluttet før svaret kom fram, fordi du logget ut eller var borte "
            "en stund. Ingenting er sendt. Logg inn igjen for å fortsette der du var."
        ),
        "log_in_again": "Logg inn igjen",
        "logged_out_title": "Du er logget ut",
        "logged_out": "Du er logget ut av Samtykke. Ingen kan fortsette økten din herfra.",
        "try_again": "Prøv igjen",
        "own_consents": "Dine egne samtykker",
        "enterprise_consents": "På vegne av {enterprise}",
        "active": "Aktive samtykker",
        "past": "Tidligere samtykker og forespørsler",
        "none_active": "Du har ingen aktive samtykker.",
        "none_past": "Ingen tidligere samtykker.",
        "waiting": "Venter på ditt svar",
        "answer_now": "Svar på forespørselen",
        "data": "Opplysninger",
        "history": "Historikk",
        "accesses": "Oppslag gjort med samtykket",
        "no_accesses": "Ingen oppslag ennå.",
        "revoke": "Trekk tilbake samtykket",
        "revoke_consequence": (
            "Når du trekker samtykket tilbake, kan {bank} ikke hente flere opplysninger om deg. "
            "Det banken allerede har hentet, kan den beholde etter sine egne regler."
        ),
        "revoke_consequence_enterprise": (
            "Når du trekker samtykket tilbake, kan {bank} ikke hente flere opplysninger om "
            "virksomheten. Det banken allerede har hentet, kan den beholde etter sine egne regler."
        ),
        "revoked_done": "Samtykket til {bank} er trukket tilbake.",
        "receipt": "Last ned kvittering",
        "receipt_note": "Kvitteringen er signert, så du kan vise hva du har samtykket til.",
        "when": "Tidspunkt",
        "what": "Hendelse",
        "who": "Utført av",
        "dataset": "Opplysninger",
        "outcome": "Utfall",
        "actor_citizen": "deg",
        "actor_bank": "banken",
        "actor_system": "tjenesten",
        "status_created": "venter på svar",
        "status_accepted": "aktivt",
        "status_rejected": "avslått",
        "status_revoked": "trukket tilbake",
        "status_expired": "utløpt",
        "status_used": "brukt",
        "status_deleted": "trukket tilbake av banken",
        "outcome_success": "hentet",
        "outcome_denied": "avvist",
        "outcome_failed": "feilet",
        "valid_period": "Gyldig til {date}",
        "event_created": "forespørsel sendt",
        "event_accepted": "samtykke gitt",
        "event_rejected": "avslått",
        "event_revoked": "trukket tilbake",
        "event_expired": "utløpt",
        "event_used": "brukt",
        "event_deleted": "trukket tilbake av banken",
        "all_data": "alle opplysningene i samtykket",
        "access_token_issued": "banken fikk tilgang til å hente",
        "access_token_refused": "banken ble nektet tilgang",
        "lookup": "oppslag: {outcome}",
        "waiting_heading": "Forespørsler som venter på svar",
        "answer_by": "Svar innen {time}. Etter det utløper forespørselen, og ingenting blir delt.",
        "logged_in_as": "Logget inn med fødselsnummer {person}",
        "revoke_confirm_title": "Vil du trekke tilbake samtykket til {bank}?",
        "revoke_confirm": "Ja, trekk tilbake samtykket",
        "revoke_cancel": "Nei, behold samtykket",
        "not_revocable_title": "Samtykket kan ikke trekkes tilbake",
        "no_more_fetching": "Banken kan ikke lenger hente opplysninger med dette samtykket.",
        "receipt_page": "Se kvitteringen",
        "receipt_title": "Kvittering for samtykke",
        "receipt_intro": (
            "Dette er kvitteringen for samtykket ditt til {bank}. Den signerte kvitteringen "
            "(en JWS-fil) er beviset; denne siden viser hva den inneholder."
        ),
        "receipt_record": "Kvitteringsnummer",
        "receipt_person": "Gitt av",
        "receipt_bank": "Gitt til",
        "receipt_purpose": "Formål",
        "receipt_data": "Opplysninger",
        "receipt_valid": "Gyldig",
        "receipt_valid_range": "fra {start} til {end}",
        "receipt_withdraw": "Slik trekker du samtykket tilbake",
        "receipt_events": "Hendelser",
        "receipt_signed": "Signert kvittering",
        "receipt_download": "Last ned den signerte kvitteringen (.jws)",
        "receipt_verify_title": "Slik kontrollerer du kvitteringen",
        "receipt_verify": (
            "Den signerte kvitteringen er en JSON Web Signature (ES256). Hvem som helst kan "
            "kontrollere den med tjenestens offentlige nøkler på {keys}. Et riktig signert "
            "innhold er det samme som vises på denne siden."
        ),
        "receipt_print": "Skriv ut eller lagre som PDF med nettleserens utskriftsfunksjon.",
        "no_receipt_title": "Ingen kvittering ennå",
        "no_receipt": "Det finnes en kvittering når du har sagt ja til forespørselen.",
    },
    "en": {
        "site": "Samtykke (consent)",
        "skip": "Skip to content",
        "other_language": "Norsk",
        "other_language_code": "nb",
        "log_out": "Log out",
        "my_consents": "My consents",
        "request_title": "{bank} asks for your consent",
        "for_enterprise": "for the enterprise with organisation number {organisation}",
        "error_code": "Code",
        "pick_enterprise": "The organisation number of the enterprise you answer for",
        "pick_enterprise_note": (
            "Nine digits. We check in the register that you hold a role that gives you authority."
        ),
        "refused_invalid-organisation-identifier": (
            "The organisation number is not valid. It has nine digits; check it and try again."
        ),
        "authority_refused_title": "You cannot consent for this enterprise",
        "refused_organisation-unknown": (
            "The enterprise is not in the Central Coordinating Register for Legal Entities. "
            "Check the organisation number with the bank."
        ),
        "refused_organisation-removed": "The enterprise has been removed from the register.",
        "refused_organisation-bankrupt": (
            "The enterprise is bankrupt. No one can consent on behalf of a bankrupt estate here."
        ),
        "refused_organisation-being-wound-up": (
            "The enterprise is being wound up, and no one can consent on its behalf."
        ),
        "refused_role-ended": (
            "The register shows that your role in the enterprise has ended. Only a person who "
            "now holds a role with authority can consent."
        ),
        "refused_no-authority": (
            "The register shows no role that gives you authority to consent for the "
            "enterprise. The chief executive, the chair of the board, the proprietor, a "
            "partner, a general partner, a managing shipowner, a Norwegian representative or "
            "an estate administrator can."
        ),
        "refused_not-sole-proprietor": (
            "The bank asks for the owner's own tax data. Only the proprietor of the sole "
            "proprietorship can share it."
        ),
        "refused_roles-unavailable": (
            "The register did not answer, so your authority cannot be checked now. Nothing "
            "was saved. Please try again shortly."
        ),
        "organisation_number": "Organisation number",
        "intro": "{bank} wants to fetch this information about you straight from public registers:",
        "purpose": "Purpose, in the bank's own words",
        "period_year": "Income year {year}",
        "period_months": "{first} to {last}, inclusive",
        "period_now": "As the information stands when the bank fetches it",
        "answer_budget": "The bank may ask at most {budget} times while the consent lasts.",
        "source": "Source",
        "validity": "How long",
        "valid_until": "The consent is valid to and including {date}, unless you revoke it sooner.",
        "one_time": "The bank can fetch the information once.",
        "repeated": "The bank can fetch the information several times in the period.",
        "if_refused": "If you say no",
        "refusal_consequence": (
            "Nothing is shared. The bank may ask you for the information some other way, "
            "for example by uploading documents yourself."
        ),
        "withdraw_note": "You can revoke the consent at any time under “My consents”.",
        "accept": "Yes, I consent",
        "refuse": "No, I do not consent",
        "answer": "Your answer",
        "not_yours_title": "This request is not for you",
        "not_yours": (
            "You are logged in as another person than the one this request is for. Only that "
            "person can answer it. Log out if you want to log in as someone else."
        ),
        "not_found_title": "Request not found",
        "not_found": "The link is wrong, or the request no longer exists.",
        "answered_title": "This request has already been answered",
        "expired_title": "This request has expired",
        "expired": (
            "The time to answer has run out. Contact the bank if you still want to share the "
            "information; the bank must then send a new request."
        ),
        "withdrawn_title": "The bank has withdrawn this request",
        "authorization_gone_title": "This request can no longer be answered",
        "authorization_gone": (
            "It has already been answered, or the time to answer has run out. Nothing has been "
            "shared. Go back to the bank and start again if you want to share the information."
        ),
        "bad_authorization_title": "The bank's request cannot be shown",
        "bad_authorization": (
            "The bank's request is not valid, for example because it asks for a period that "
            "does not exist yet. Nothing has been shared. Please contact the bank."
        ),
        "status_now": "Status now: {status}.",
        "see_my_consents": "See my consents",
        "csrf_title": "The form could not be sent",
        "csrf": "The page was too old, or the form did not come from this service. Try again.",
        "login_failed_title": "Login failed",
        "login_failed": "We could not log you in with ID-porten. Please try again.",
        "session_ended_title": "You are logged out",
        "session_ended": (
            "Your session ended before your answer arrived, because you logged out or were away "
            "for a while. Nothing was sent. Log in again to continue where you were."
        ),
        "log_in_again": "Log in again",
        "logged_out_title": "You are logged out",
        "logged_out": "You are logged out of Samtykke. No one can continue your session from here.",
        "try_again": "Try again",
        "own_consents": "Your own consents",
        "enterprise_consents": "On behalf of {enterprise}",
        "active": "Active consents",
        "past": "Past consents and requests",
        "none_active": "You have no active consents.",
        "none_past": "No past consents.",
        "waiting": "Waiting for your answer",
        "answer_now": "Answer the request",
        "data": "Information",
        "history": "History",
        "accesses": "Look-ups made under this consent",
        "no_accesses": "No look-ups yet.",
        "revoke": "Revoke the consent",
        "revoke_consequence": (
            "When you revoke the consent, {bank} can fetch no more information about you. "
            "What the bank has already fetched it may keep under its own rules."
        ),
        "revoke_consequence_enterprise": (
            "When you revoke the consent, {bank} can fetch no more information about the "
            "enterprise. What the bank has already fetched it may keep under its own rules."
        ),
        "revoked_done": "Your consent to {bank} has been revoked.",
        "receipt": "Download receipt",
        "receipt_note": "The receipt is signed, so you can show what you consented to.",
        "when": "Time",
        "what": "Event",
        "who": "By",
        "dataset": "Information",
        "outcome": "Outcome",
        "actor_citizen": "you",
        "actor_bank": "the bank",
        "actor_system": "the service",
        "status_created": "waiting for an answer",
        "status_accepted": "active",
        "status_rejected": "refused",
        "status_revoked": "revoked",
        "status_expired": "expired",
        "status_used": "used",
        "status_deleted": "withdrawn by the bank",
        "outcome_success": "fetched",
        "outcome_denied": "refused",
        "outcome_failed": "failed",
        "valid_period": "Valid to {date}",
        "event_created": "request sent",
        "event_accepted": "consent given",
        "event_rejected": "refused",
        "event_revoked": "revoked",
        "event_expired": "expired",
        "event_used": "used",
        "event_deleted": "withdrawn by the bank",
        "all_data": "all the information in the consent",
        "access_token_issued": "the bank got access to fetch",
        "access_token_refused": "the bank was refused access",
        "lookup": "look-up: {outcome}",
        "waiting_heading": "Requests waiting for your answer",
        "answer_by": "Answer by {time}. After that the request expires and nothing is shared.",
        "logged_in_as": "Logged in with national identity number {person}",
        "revoke_confirm_title": "Do you want to revoke your consent to {bank}?",
        "revoke_confirm": "Yes, revoke the consent",
        "revoke_cancel": "No, keep the consent",
        "not_revocable_title": "The consent cannot be revoked",
        "no_more_fetching": "The bank can no longer fetch information under this consent.",
        "receipt_page": "See the receipt",
        "receipt_title": "Consent receipt",
        "receipt_intro": (
            "This is the receipt for your consent to {bank}. The signed receipt (a JWS file) "
            "is the proof; this page shows what it contains."
        ),
        "receipt_record": "Receipt number",
        "receipt_person": "Given by",
        "receipt_bank": "Given to",
        "receipt_purpose": "Purpose",
        "receipt_data": "Information",
        "receipt_valid": "Valid",
        "receipt_valid_range": "from {start} to {end}",
        "receipt_withdraw": "How to revoke the consent",
        "receipt_events": "Events",
        "receipt_signed": "Signed receipt",
        "receipt_download": "Download the signed receipt (.jws)",
        "receipt_verify_title": "How to verify the receipt",
        "receipt_verify": (
            "The signed receipt is a JSON Web Signature (ES256). Anyone can verify it with the "
            "service's public keys at {keys}. Correctly signed content is the same as shown on "
            "this page."
        ),
        "receipt_print": "Print it, or save it as PDF, with your browser's print function.",
        "no_receipt_title": "No receipt yet",
        "no_receipt": "There is a receipt once you have said yes to the request.",
    },
}


def language_or_default(language: object) -> str:
    return language if isinstance(language, str) and language in LANGUAGES else DEFAULT_LANGUAGE
