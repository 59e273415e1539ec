"""Active Connector identity service."""
