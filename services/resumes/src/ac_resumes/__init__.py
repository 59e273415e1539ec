"""Active Connector resumes service."""
