"""Active Connector service platform: the FastAPI skeleton, tokens, peers, logs, metrics."""
