"""Options of one cleaning run, shared by the library and the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

#: Stages in pipeline order. ``fetch`` reads input and ``render`` writes output; the
#: stages between them transform a :class:`~evclean.document.Document`.
STAGES = ("fetch", "extract", "repair", "strip", "degarble", "render")
#: The stages that ``--skip`` may name.
SKIPPABLE = ("repair", "strip", "degarble")
#: Output formats, and the file extension of each in an out dir.
EXTENSIONS = {"markdown": ".md", "json": ".json", "jsonl": ".jsonl", "text": ".txt"}
FORMATS = tuple(EXTENSIONS)


@dataclass(frozen=True)
class Config:
    """Options of a run. Unknown names and unskippable stages are refused at creation."""

    skip: frozenset[str] = frozenset()
    #: strip: extra rule files (TOML) that extend the shipped rules, in order.
    rules: tuple[str, ...] = ()
    #: strip: boilerplate categories to keep rather than remove.
    keep: frozenset[str] = frozenset()
    #: strip: fingerprints of blocks seen on many pages of a batch
    #: (:func:`evclean.strip.fingerprints`), a "repeated across pages" signal.
    boilerplate: frozenset[str] = frozenset()
    #: degarble rules switched off by name (see ``evclean.degarble.RULE_NAMES``).
    disabled_rules: frozenset[str] = frozenset()
    #: Drop paragraphs whose garble score is above this (0 to 1); None keeps them all.
    drop_garbled: float | None = None

    def __post_init__(self) -> None:
        skip = frozenset(self.skip)
        object.__setattr__(self, "skip", skip)
        if isinstance(self.rules, (str, bytes)) or not isinstance(self.rules, Iterable):
            raise ValueError("rules must be a sequence of rule-file paths")
        object.__setattr__(self, "rules", tuple(str(p) for p in self.rules))
        object.__setattr__(self, "keep", frozenset(self.keep))
        object.__setattr__(self, "boilerplate", frozenset(self.boilerplate))
        rules = frozenset(self.disabled_rules)
        object.__setattr__(self, "disabled_rules", rules)
        if rules:
            from .degarble import RULE_NAMES

            unknown = sorted(rules - set(RULE_NAMES))
            if unknown:
                raise ValueError(
                    f"unknown degarble rule(s) {', '.join(unknown)}; "
                    f"rules are: {', '.join(RULE_NAMES)}"
                )
        if self.drop_garbled is not None and not 0 <= self.drop_garbled <= 1:
            raise ValueError(f"drop_garbled must be between 0 and 1, not {self.drop_garbled}")
        for name in sorted(skip):
            if name not in STAGES:
                raise ValueError(
                    f"unknown stage {name!r}; stages are: {', '.join(STAGES)}"
                )
            if name not in SKIPPABLE:
                raise ValueError(
                    f"stage {name!r} cannot be skipped; skippable: {', '.join(SKIPPABLE)}"
                )
        if self.rules or self.keep:
            from .strip import load_rules  # RuleError is a ValueError

            names = load_rules(self.rules).names
            unknown = sorted(self.keep - set(names))
            if unknown:
                raise ValueError(
                    f"unknown strip category {', '.join(map(repr, unknown))}; "
                    f"categories are: {', '.join(names)}"
                )

    @classmethod
    def from_options(cls, **options: object) -> Config:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(
                f"unknown option(s) {', '.join(unknown)}; options are: {', '.join(sorted(known))}"
            )
        return cls(**options)  # type: ignore[arg-type]
