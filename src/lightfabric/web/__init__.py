"""The web app: a page to pick or upload a scenario, edit it and see the comparison and its figures,
a catalog browser with sources, and the JSON API behind them (``lightfabric serve``)."""
