"""Physics of a link: pure, vectorized functions with units in their names.

Modules, each with one job:

* :mod:`~lightfabric.physics.units` - dB/dBm conversions and physical constants.
* :mod:`~lightfabric.physics.ber` - Q-factor, PAM-M symbol and bit error ratios, RS FEC.
* :mod:`~lightfabric.physics.receiver` - photoreceiver noise, Q and sensitivity.
* :mod:`~lightfabric.physics.laser` - light-current curve, wall-plug efficiency, temperature,
  junction heating and Arrhenius acceleration of the failure rate.
* :mod:`~lightfabric.physics.modulation` - modulator extinction ratio and OMA.
* :mod:`~lightfabric.physics.link_budget` - power and OMA along a chain of optical elements.
* :mod:`~lightfabric.physics.electrical` - insertion loss of PCB, twinax and connectors; copper reach.
* :mod:`~lightfabric.physics.energy` - energy per bit and power of a link from its parts.

Every function takes plain floats or numpy arrays and broadcasts; references are in the docstrings
and in ``docs/physics.md``.
"""
