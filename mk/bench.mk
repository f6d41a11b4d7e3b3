# make bench: tenantop against ss on simulated populations (1k, 10k, 100k sockets).
bench: all
	@BUILD=$(BUILD) python3 tests/bench/bench.py
