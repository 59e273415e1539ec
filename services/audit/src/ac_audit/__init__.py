"""Active Connector audit service."""
