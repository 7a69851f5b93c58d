"""The bank's consent request API, shaped like Altinn 3's `consentrequests`."""
