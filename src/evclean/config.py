"""Options of one cleaning run, shared by the library and the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

#: Stages in pipeline order. ``fetch`` reads input and ``render`` writes output; the
#: stages between them transform a :class:`~evclean.document.Document`.
STAGES = ("fetch", "extract", "repair", "strip", "render")
#: The stages that ``--skip`` may name.
SKIPPABLE = ("repair", "strip")


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

    def __post_init__(self) -> None:
        skip = frozenset(self.skip)
        object.__setattr__(self, "skip", skip)
        if isinstance(self.rules, (str, bytes)) or not isinstance(self.rules, Iterable):
            raise ValueError("rules must be a sequence of rule-file paths")
        object.__setattr__(self, "rules", tuple(str(p) for p in self.rules))
        object.__setattr__(self, "keep", frozenset(self.keep))
        object.__setattr__(self, "boilerplate", frozenset(self.boilerplate))
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
