"""A local sandbox of the gateway: a real HTTP server for offline development and tests."""
