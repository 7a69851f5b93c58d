"""Fjordkyst Sparebank: a demo bank's mortgage application on top of `samtykke_client`.

The applicant types their national identity number, the bank asks the
gateway for consent, the browser goes to the consent page, and on return
the bank fetches the loan-application bundle and shows the figures.
"""
