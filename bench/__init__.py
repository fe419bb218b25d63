"""Benchmarks for wan-r2v: the facade against raw httpx, the OpenAI SDK and curl (`make bench`)."""
