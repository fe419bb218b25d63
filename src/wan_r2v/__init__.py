"""wan-r2v: a client for the Wan 2.6 reference-to-video task API."""
