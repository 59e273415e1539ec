"""Active Connector matching service."""
