"""What happened while a layer was read: assumptions, repairs and warnings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class LoadReport:
    """Collected by the readers, shown by `inspect` and the desktop messages dock."""

    driver: str = ""
    encoding: str | None = None
    crs_assumed: bool = False
    features_read: int = 0
    invalid_repaired: int = 0
    null_geometries_dropped: int = 0
    empty_geometries_dropped: int = 0
    nan_coordinates_dropped: int = 0
    out_of_range_dropped: int = 0
    dates_unparsed: int = 0
    warnings: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def repaired(self, message: str) -> None:
        self.repairs.append(message)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> LoadReport:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)
