"""Active Connector consent service."""
