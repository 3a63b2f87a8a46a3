"""A design and its training step written for other tools (docs/interop.md).

* :mod:`lightfabric.interop.chakra`: the training step of ``lightfabric step`` as Chakra execution
  traces, one per rank, and the communicator groups (MLCommons Chakra, the input of ASTRA-sim).
* :mod:`lightfabric.interop.astra_sim`: a design's fabric as ASTRA-sim's analytical network and
  system configurations, with the step's traces beside them.
* :mod:`lightfabric.interop.infragraph`: a design as an InfraGraph infrastructure.

Nothing here computes a figure of its own: the traces carry what :func:`lightfabric.netsim.step.step_time`
counts, the configurations what :func:`lightfabric.netsim.topo.topo_of` gives.
"""
