"""The sensitive-data guard's rules: data files read, checked and compiled once.

The rules live in ``ac_sensitive/rules/``, one YAML file a language (``en.yaml``,
``ja.yaml``): a file holds the lexicons its rules share (work words, academic words, the
people who are not the applicant), so each file reads on its own and is reviewed by a
reader of that language; the category is a field of each rule. A file is::

    fragments:              # optional: named pieces of regular expression
      work: |-
        \\b(?:software|apps?
        |data)\\b
    rules:
      - name: en_example    # unique over all files; it names the rule in a `Finding`
        category: disability                  # a SensitiveCategory value
        pattern: |-
          \\bi am\\s+(?:{w})?deaf\\b
        excludes:           # optional: a match is dropped if one occurs in its clause
          - '{work}'

- A pattern, exclude or fragment is a regular expression (Python ``re``) over normalised
  text (see `ac_sensitive.detector`). Broken over lines (a ``|-`` block), its lines are
  joined with nothing in between, so no line may begin or end with white space (write
  ``\\s`` or ``\\x20``). A one-line value may be single-quoted (no escapes but ``''``).
- ``{name}`` stands for the fragment `name`, defined earlier in the same file (a fragment
  may use the ones above it); the text is put in as it is, without a group around it.
- A pattern's only named group may be ``hit``: it narrows the reported span.

`load_rules` refuses, with a `RuleFileError` naming the file and the rule: a file that is
not YAML or not of this shape (unknown or missing keys, a key given twice), an unknown
category, an unknown or unused fragment, a duplicate rule name, a regular expression that
does not compile, one that matches the empty string (an exclude that did would cancel
every match) and a pattern with another named group.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import yaml

try:  # libyaml's parser, six times faster, where PyYAML was built with it
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

from ac_events.catalogue.vocab import SensitiveCategory

__all__ = ["Rule", "RuleFileError", "load_rules", "rules_directory"]

_RULE_KEYS = frozenset({"name", "category", "pattern", "excludes"})
_FILE_KEYS = frozenset({"fragments", "rules"})
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_REFERENCE = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_CATEGORIES = {category.value: category for category in SensitiveCategory}


@dataclass(frozen=True, slots=True)
class Rule:
    """A pattern for one category, and the clause contexts that cancel its matches.

    Patterns apply to normalised (NFKC, casefolded) text. A named group ``hit`` narrows
    the reported span. Excludes equal as text are one compiled object, shared by rules.
    """

    category: SensitiveCategory
    name: str
    pattern: re.Pattern[str]
    excludes: tuple[re.Pattern[str], ...] = ()


class RuleFileError(ValueError):
    """A rule file that cannot be used: the message names the file and, if any, the rule."""

    def __init__(self, file: str, problem: str, rule: str | None = None) -> None:
        where = f"{file}: rule {rule!r}" if rule else file
        super().__init__(f"{where}: {problem}")
        self.file = file
        self.rule = rule


class _UniqueKeyLoader(_SafeLoader):
    """YAML's safe loader, refusing a mapping that gives a key twice (YAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        doubled = sorted({str(k) for k in keys if keys.count(k) > 1})
        if doubled:
            raise yaml.constructor.ConstructorError(
                None, None, f"key given twice: {', '.join(doubled)}", node.start_mark
            )
        return super().construct_mapping(node, deep=deep)


def rules_directory() -> Traversable:
    """The rule files shipped in the package."""
    return files("ac_sensitive") / "rules"


def load_rules(directory: Traversable | None = None) -> tuple[Rule, ...]:
    """Every rule of the ``*.yaml`` files of `directory` (by file name), checked and compiled."""
    directory = directory or rules_directory()
    entries = sorted(
        (entry for entry in directory.iterdir() if not entry.name.startswith(".")),
        key=lambda entry: entry.name,
    )
    compiled: dict[str, re.Pattern[str]] = {}
    rules: list[Rule] = []
    where: dict[str, str] = {}
    for entry in entries:
        if not entry.name.endswith(".yaml"):
            raise RuleFileError(str(entry), "not a rule file: only *.yaml files belong here")
        for rule in _load_file(entry, compiled):
            if rule.name in where:
                raise RuleFileError(
                    str(entry), f"name already used in {where[rule.name]}", rule.name
                )
            where[rule.name] = str(entry)
            rules.append(rule)
    if not rules:
        raise RuleFileError(str(directory), "no rules")
    return tuple(rules)


def _load_file(file: Traversable, compiled: dict[str, re.Pattern[str]]) -> list[Rule]:
    name = str(file)
    try:
        document = yaml.load(file.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        raise RuleFileError(name, f"not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or not set(document) <= _FILE_KEYS:
        raise RuleFileError(name, f"must be a mapping with the keys {sorted(_FILE_KEYS)}")
    used: set[str] = set()
    fragments = _fragments(name, document.get("fragments") or {}, used)
    raw_rules = document.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RuleFileError(name, "`rules` must be a non-empty list")
    rules = [_rule(name, raw, fragments, used, compiled) for raw in raw_rules]
    unused = sorted(set(fragments) - used)
    if unused:
        raise RuleFileError(name, f"fragment never used: {', '.join(unused)}")
    return rules


def _fragments(file: str, raw: object, used: set[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise RuleFileError(file, "`fragments` must be a mapping of names to text")
    fragments: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not _NAME.fullmatch(key):
            raise RuleFileError(file, f"fragment name {key!r} must match {_NAME.pattern}")
        fragments[key] = _expand(file, f"fragment {key!r}", value, fragments, used, None)
    return fragments


def _rule(
    file: str,
    raw: object,
    fragments: Mapping[str, str],
    used: set[str],
    compiled: dict[str, re.Pattern[str]],
) -> Rule:
    if not isinstance(raw, dict):
        raise RuleFileError(file, f"a rule must be a mapping, not {raw!r}")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise RuleFileError(file, f"a rule needs a `name` matching {_NAME.pattern}: {raw!r}")
    unknown, missing = set(raw) - _RULE_KEYS, {"category", "pattern"} - set(raw)
    if unknown:
        raise RuleFileError(
            file, f"unknown keys {sorted(unknown)} (known: {sorted(_RULE_KEYS)})", name
        )
    if missing:
        raise RuleFileError(file, f"missing keys {sorted(missing)}", name)
    category = _CATEGORIES.get(str(raw["category"]))
    if category is None:
        known = ", ".join(_CATEGORIES)
        raise RuleFileError(file, f"unknown category {raw['category']!r} (known: {known})", name)
    pattern = _compile(file, name, "pattern", raw["pattern"], fragments, used, {})
    if set(pattern.groupindex) - {"hit"}:
        raise RuleFileError(file, "the only named group a pattern may have is `hit`", name)
    excludes = raw.get("excludes") or []
    if not isinstance(excludes, list):
        raise RuleFileError(file, "`excludes` must be a list", name)
    return Rule(
        category,
        name,
        pattern,
        tuple(
            _compile(file, name, f"exclude {i + 1}", text, fragments, used, compiled)
            for i, text in enumerate(excludes)
        ),
    )


def _compile(
    file: str,
    rule: str,
    what: str,
    value: object,
    fragments: Mapping[str, str],
    used: set[str],
    compiled: dict[str, re.Pattern[str]],
) -> re.Pattern[str]:
    text = _expand(file, what, value, fragments, used, rule)
    if text in compiled:
        return compiled[text]
    try:
        pattern = re.compile(text)
    except re.error as exc:
        raise RuleFileError(file, f"{what} does not compile: {exc}", rule) from exc
    if pattern.fullmatch(""):
        raise RuleFileError(file, f"{what} matches the empty string", rule)
    compiled[text] = pattern
    return pattern


def _expand(
    file: str,
    what: str,
    value: object,
    fragments: Mapping[str, str],
    used: set[str],
    rule: str | None,
) -> str:
    """The text of a value: its lines joined, its fragments put in."""
    if not isinstance(value, str) or not value.strip():
        raise RuleFileError(file, f"{what} must be non-empty text, not {value!r}", rule)
    lines = value.split("\n")
    if lines[-1] == "":
        lines.pop()  # a `|` block's final line break
    for number, line in enumerate(lines, 1):
        if line != line.strip():
            problem = f"{what}: line {number} begins or ends with white space (write \\s or \\x20)"
            raise RuleFileError(file, problem, rule)

    def put_in(reference: re.Match[str]) -> str:
        if reference[1] not in fragments:
            raise RuleFileError(file, f"{what} uses an unknown fragment {{{reference[1]}}}", rule)
        used.add(reference[1])
        return fragments[reference[1]]

    return _REFERENCE.sub(put_in, "".join(lines))
