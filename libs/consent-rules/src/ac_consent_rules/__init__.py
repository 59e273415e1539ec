"""The consent rules, pure: evolve a person and the policies, decide a flow."""
