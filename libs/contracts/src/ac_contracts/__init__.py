"""Active Connector contracts: the HTTP models every service serves and the gateway relays."""
