"""The desk: requests of a person, complaints and enquiries, with deadlines (docs/desk.md)."""
