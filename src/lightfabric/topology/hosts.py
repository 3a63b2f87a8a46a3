"""The GPU and NIC tiers every topology starts from."""

from __future__ import annotations

from lightfabric.catalog import PortConfig
from lightfabric.placement import IN_RACK
from lightfabric.topology.base import GPU, NIC, ClusterSpec, DeviceTier


def host_tiers(spec: ClusterSpec) -> list[DeviceTier]:
    """GPUs and NICs, in their racks. A GPU or NIC down takes its GPU out; replacing either takes
    its server (compute tray) out for the swap."""
    att, per_server = spec.attachment, float(spec.scenario.cluster.gpus_per_server)
    su_port = spec.scale_up_switch.port_configs[0] if spec.scale_up is not None else None
    nic_port = PortConfig(count=att.links_per_nic, rate_gbps=att.nic_link_rate_gbps,
                          lane_rate_gbps=spec.nic.serdes_lane_rate_gbps)
    return [DeviceTier("gpu", GPU, spec.gpu, spec.gpus, su_port, IN_RACK, "GPUs", gpus_cut=1.0,
                       gpus_replacing=per_server, scope_gpus=1.0),
            DeviceTier("nic", NIC, spec.nic, att.nics, nic_port, IN_RACK, "NICs", gpus_cut=1.0,
                       gpus_replacing=per_server, scope_gpus=1.0)]
