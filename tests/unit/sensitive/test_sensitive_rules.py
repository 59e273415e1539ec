"""The sensitive-data guard's rule files: the shipped ones load, and a broken one is refused
with an error that names the file and the rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from ac_events.catalogue.vocab import SensitiveCategory
from ac_sensitive.detector import RULES
from ac_sensitive.loader import RuleFileError, load_rules, rules_directory

GOOD_RULE = """\
  - name: en_fine
    category: disability
    pattern: '\\bi am deaf\\b'
"""


def test_the_shipped_files_cover_every_category_in_both_languages() -> None:
    files = sorted(entry.name for entry in rules_directory().iterdir())
    assert files == ["en.yaml", "ja.yaml"]
    assert {rule.category for rule in RULES} == set(SensitiveCategory)
    for language in ("en", "ja"):
        rules = [r for r in RULES if r.name.startswith(f"{language}_")]
        assert {r.category for r in rules} == set(SensitiveCategory)
    assert len({rule.name for rule in RULES}) == len(RULES)


def test_lines_are_joined_fragments_put_in_and_equal_excludes_shared(tmp_path: Path) -> None:
    (tmp_path / "en.yaml").write_text(
        """\
fragments:
  w: |-
    [\\w'-]+\\s+
  work: |-
    \\b(?:software
    |data)\\b
rules:
  - name: en_one
    category: disability
    pattern: |-
      \\bi am\\s+(?:{w})?
      deaf\\b
    excludes:
      - '{work}'
  - name: en_two
    category: criminal_history
    pattern: 'convicted'
    excludes: ['{work}']
""",
        encoding="utf-8",
    )
    one, two = load_rules(tmp_path)
    assert one.pattern.pattern == r"\bi am\s+(?:[\w'-]+\s+)?deaf\b"
    assert one.category is SensitiveCategory.DISABILITY
    assert one.excludes[0].pattern == r"\b(?:software|data)\b"
    assert one.excludes[0] is two.excludes[0]


BROKEN = [
    pytest.param(
        GOOD_RULE.replace("disability", "astrology"),
        ["en.yaml", "'en_fine'", "unknown category 'astrology'"],
        id="unknown category",
    ),
    pytest.param(
        GOOD_RULE.replace("deaf", "(deaf"),
        ["en.yaml", "'en_fine'", "pattern does not compile", "missing ), unterminated"],
        id="bad regex",
    ),
    pytest.param(
        GOOD_RULE + "    excludes: ['[a-']\n",
        ["en.yaml", "'en_fine'", "exclude 1 does not compile"],
        id="bad exclude",
    ),
    pytest.param(
        GOOD_RULE + "    excludes: ['software|']\n",
        ["en.yaml", "'en_fine'", "exclude 1 matches the empty string"],
        id="exclude matching everything",
    ),
    pytest.param(
        GOOD_RULE.replace("deaf", "{deafness}"),
        ["en.yaml", "'en_fine'", "unknown fragment {deafness}"],
        id="unknown fragment",
    ),
    pytest.param(
        GOOD_RULE.replace("\\bi am deaf\\b", "(?P<who>i) am deaf"),
        ["en.yaml", "'en_fine'", "named group"],
        id="named group other than hit",
    ),
    pytest.param(
        GOOD_RULE.replace(
            "    pattern: '\\bi am deaf\\b'", "    pattern: |-\n      i am \n      deaf"
        ),
        ["en.yaml", "'en_fine'", "line 1 begins or ends with white space"],
        id="space lost at a line break",
    ),
    pytest.param(
        GOOD_RULE.replace("    pattern:", "    exclude: ['x']\n    pattern:"),
        ["en.yaml", "'en_fine'", "unknown keys ['exclude']"],
        id="misspelt key",
    ),
    pytest.param(
        GOOD_RULE.replace("    category: disability\n", ""),
        ["en.yaml", "'en_fine'", "missing keys ['category']"],
        id="missing key",
    ),
    pytest.param(
        GOOD_RULE + "    category: sex_life_health\n",
        ["en.yaml", "key given twice: category"],
        id="key given twice",
    ),
    pytest.param(
        GOOD_RULE + GOOD_RULE,
        ["en.yaml", "'en_fine'", "name already used"],
        id="duplicate rule name",
    ),
    pytest.param(
        GOOD_RULE.replace("'\\bi am deaf\\b'", "{self}"),
        ["en.yaml", "'en_fine'", "pattern must be non-empty text"],
        id="pattern that YAML reads as a mapping",
    ),
    pytest.param(GOOD_RULE + "  - [\n", ["en.yaml", "not valid YAML"], id="not YAML"),
]


@pytest.mark.parametrize(("rules", "expected"), BROKEN)
def test_a_broken_rule_is_refused_naming_its_file_and_rule(
    tmp_path: Path, rules: str, expected: list[str]
) -> None:
    (tmp_path / "en.yaml").write_text(f"rules:\n{rules}", encoding="utf-8")
    with pytest.raises(RuleFileError) as refused:
        load_rules(tmp_path)
    for part in expected:
        assert part in str(refused.value)


def test_a_fragment_never_used_is_refused(tmp_path: Path) -> None:
    (tmp_path / "ja.yaml").write_text(f"fragments:\n  gai: '[害がい]'\nrules:\n{GOOD_RULE}")
    with pytest.raises(RuleFileError, match=r"ja\.yaml: fragment never used: gai"):
        load_rules(tmp_path)


def test_a_rule_name_is_unique_across_files(tmp_path: Path) -> None:
    for name in ("en.yaml", "ja.yaml"):
        (tmp_path / name).write_text(f"rules:\n{GOOD_RULE}", encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"ja\.yaml: rule 'en_fine': name already used in"):
        load_rules(tmp_path)


def test_only_yaml_files_belong_in_the_directory(tmp_path: Path) -> None:
    (tmp_path / "en.yaml").write_text(f"rules:\n{GOOD_RULE}", encoding="utf-8")
    (tmp_path / "ko.yml").write_text(f"rules:\n{GOOD_RULE}", encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"ko\.yml: not a rule file"):
        load_rules(tmp_path)
