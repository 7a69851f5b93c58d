"""Per-bank rate limiting for the data API, answered 429 with Retry-After."""

from __future__ import annotations

from fastapi import Request

from consent.quotas.limiter import QuotaDecision, RateLimiter
from gateway.problems import ProblemError


def check_bank_quota(request: Request, organisation_number: str) -> QuotaDecision:
    """Count the request against the bank's quota (committed at once, for every process)."""
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter.check(f"bank:{organisation_number}")


def refuse_over_quota(decision: QuotaDecision) -> None:
    if not decision.allowed:
        raise ProblemError(
            429,
            "rate-limited",
            "Too many requests",
            f"This bank may make {decision.limit} data requests per minute.",
            headers={"Retry-After": str(decision.retry_after_seconds)},
        )
