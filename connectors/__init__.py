"""Typed clients for the public registries; nothing else talks to a registry.

    from connectors.skatteetaten import SkatteetatenClient
    from connectors.brreg import BrregClient

    skatteetaten = SkatteetatenClient(base_url, token_provider)   # one per process
    grunnlag = skatteetaten.summert_skattegrunnlag(fnr, 2024)      # SummertSkattegrunnlag
    grunnlag.beloep("samletGjeld")
    skatteetaten.siste_tilgjengelige_periode(fnr)                  # the year a consent may cover
    skatteetaten.inntekt(fnr, date(2025, 1, 1), date(2025, 3, 1))  # A-ordningen months
    brreg = BrregClient(base_url, token_provider)
    brreg.enhet(orgnr)            # Enhet: is_bank, in_good_standing, konkurs, ...
    brreg.rettsstiftelser(fnr)    # Rettsstiftelser: liens and debt settlements
    brreg.roller(orgnr)           # Roller: .authority_of(fnr) -> Enhetsrolle | None
    LandbrukClient(...).soknad(orgnr, date(2025, 10, 1))   # production subsidies
    FiskeriClient(...).licence_records(orgnr)              # licences, transfers, liens
    FiskeriClient(...).biomasse(orgnr, first, last)        # monthly biomass per site

connectors/README.md lists every client's calls, results and errors.

`token_provider(scope) -> str` gives a bearer token for a scope (the gateway
signs and caches them, see gateway/registries.py). Clients are synchronous
and thread-safe; each owns a pooled httpx client and a circuit breaker, and
must be closed. Failures are the exceptions of `connectors.errors`; the
timeouts, deadline and retry policy are `connectors.resilience.ResilienceSettings`.
"""
