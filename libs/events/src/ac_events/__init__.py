"""Active Connector events library."""
