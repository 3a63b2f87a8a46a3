"""The scenario: the user's description of a cluster, as a typed model.

The schema is documented in ``docs/scenario.md``; a test checks that document against these models.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StrictInt, field_validator

from lightfabric.physics.chains import DESIGN_MARGIN_DB

# Technologies this version builds. The others of the design brief (lro, npo, oio, copper, ocs)
# come with later versions; naming them gives a clear "not yet" message.
TECHNOLOGIES: tuple[str, ...] = ("pluggable-dsp", "lpo", "cpo")
PLANNED_TECHNOLOGIES: tuple[str, ...] = ("lro", "npo", "oio", "copper", "ocs")

Technology = Literal["pluggable-dsp", "lpo", "cpo"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cluster(_Strict):
    gpus: StrictInt = Field(gt=0, description="number of GPUs in the cluster")
    gpu: str = Field(description="catalog id of the GPU")


class LinkLengths(_Strict):
    """Typical cable length of each link tier, used for fiber cost and the reach check."""

    nic_leaf_m: float = Field(default=15.0, gt=0)
    leaf_spine_m: float = Field(default=60.0, gt=0)
    spine_core_m: float = Field(default=200.0, gt=0)


class ScaleOut(_Strict):
    topology: Literal["fat-tree"] = "fat-tree"
    tiers: Literal[1, 2, 3, "auto"] = "auto"
    oversubscription: float = Field(default=1.0, ge=1.0, le=64.0,
                                    description="leaf downlink : uplink bandwidth")
    switch: str = Field(description="catalog id of the switch")
    port_rate_gbps: float = Field(gt=0)
    nic: str | None = Field(default=None, description="catalog id of the NIC; default: the GPU's default NIC")
    nics_per_gpu: StrictInt = Field(default=1, gt=0, le=16)
    link_length_m: LinkLengths = LinkLengths()


class Economics(_Strict):
    electricity_usd_per_kwh: float = Field(default=0.08, ge=0)
    pue: float = Field(default=1.3, ge=1.0, le=5.0)
    years: float = Field(default=5.0, gt=0, le=30)


class Physical(_Strict):
    """Assumptions of the physical-layer checks every design gets (see docs/physics.md)."""

    design_margin_db: float = Field(default=DESIGN_MARGIN_DB, ge=0.0, le=10.0,
                                    description="laser power above the point where the worst-case link closes")
    laser_case_temperature_c: float | None = Field(
        default=None, ge=-40.0, le=150.0,
        description="case temperature of CPO lasers; default 55 C for a front-panel ELS")
    ocs_passes: dict[str, StrictInt] = Field(default_factory=dict,
                                             description="optical circuit switch passes per link group")

    @field_validator("ocs_passes")
    @classmethod
    def _known_groups(cls, v: dict[str, int]) -> dict[str, int]:
        groups = ("host-leaf", "leaf-spine", "spine-core")
        for k, n in v.items():
            if k not in groups:
                raise ValueError(f"unknown link group {k!r}; allowed: {', '.join(groups)}")
            if not 0 <= n <= 4:
                raise ValueError(f"{k}: {n} passes; allowed: 0 to 4")
        return v


class Scenario(_Strict):
    name: str = Field(min_length=1)
    description: str | None = None
    cluster: Cluster
    scale_out: ScaleOut
    technologies: tuple[Technology, ...] = Field(default=TECHNOLOGIES, min_length=1)
    economics: Economics = Economics()
    physical: Physical = Physical()
    overrides: dict[str, float | bool | str] = Field(default_factory=dict)

    # where each key stood in the file (path -> "file:line:col"), for error messages
    _locations: dict[tuple, str] = PrivateAttr(default_factory=dict)

    @field_validator("technologies")
    @classmethod
    def _unique(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(v)) != len(v):
            raise ValueError("each technology may be listed once")
        return v

    def location(self, *path: str | int) -> str | None:
        """``file:line:col`` of a key in the scenario file, if it was read from one."""
        return self._locations.get(tuple(path))
