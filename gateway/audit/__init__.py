"""The agency audit API, the published checkpoint keys and the sequencer's place in the app."""
