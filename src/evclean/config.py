"""Options of one cleaning run, shared by the library and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, fields

#: Stages in pipeline order. ``fetch`` reads input and ``render`` writes output; the
#: stages between them transform a :class:`~evclean.document.Document`.
STAGES = ("fetch", "extract", "repair", "render")
#: The stages that ``--skip`` may name.
SKIPPABLE = ("repair",)


@dataclass(frozen=True)
class Config:
    """Options of a run. Unknown names and unskippable stages are refused at creation."""

    skip: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        skip = frozenset(self.skip)
        object.__setattr__(self, "skip", skip)
        for name in sorted(skip):
            if name not in STAGES:
                raise ValueError(
                    f"unknown stage {name!r}; stages are: {', '.join(STAGES)}"
                )
            if name not in SKIPPABLE:
                raise ValueError(
                    f"stage {name!r} cannot be skipped; skippable: {', '.join(SKIPPABLE)}"
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
