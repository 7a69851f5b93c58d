"""The Samtykke gateway: the FastAPI application, its authorization server, pages and CLI."""

import warnings

from authlib.deprecate import AuthlibDeprecationWarning

# Authlib's login client warns that it prefers the httpx2 fork; the gateway uses
# httpx on purpose (one HTTP client library for the login and the connectors).
# The filter goes in after authlib.deprecate is imported, since that import
# puts an "always" filter for its warnings in front of every other.
warnings.filterwarnings(
    "ignore", message="The httpx module is deprecated", category=AuthlibDeprecationWarning
)
