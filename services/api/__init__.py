"""The HTTP API: FastAPI app over the read model, token-authenticated, one error shape."""
