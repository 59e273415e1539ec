"""The sensitive-data guard: special care-required information (APPI) in a person's text.

Shared by the services that take a person's free text: resumes (CVs) and matching
(application forms, and what a client may see of a candidate). Pure: rules as data
(`rules/*.yaml`), no I/O after import.
"""

from __future__ import annotations

from ac_sensitive.detector import RULES, Finding, detect, findings

__all__ = ["RULES", "Finding", "detect", "findings"]
