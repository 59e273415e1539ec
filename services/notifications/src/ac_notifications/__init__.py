"""Active Connector notifications service."""
