"""The citizen's pages: log in with ID-porten, answer consent requests, see and revoke consents."""
