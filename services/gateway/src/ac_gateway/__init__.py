"""Active Connector gateway service."""
