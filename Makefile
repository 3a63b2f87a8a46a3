# Convenience targets; each one is the same as a README command.
.PHONY: demo test bench clean

demo:
	python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/lightfabric compare

test:
	python3 -m venv .venv && .venv/bin/pip install -q -e ".[dev]" && .venv/bin/python -m pytest -q

bench:
	.venv/bin/python benchmarks/bench_compare.py

clean:
	rm -rf .venv build src/*.egg-info .pytest_cache .hypothesis
