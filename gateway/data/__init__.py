"""The consented data API: banks fetch income, net wealth and debt under a citizen's consent."""
