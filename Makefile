# quotacert: the two commands of the README, and a few helpers.
.PHONY: run test bench build fuzz clean

# Run the system on its embedded default (SQLite and files in ./data) with the demo data; installs the
# letter fonts first when they are missing (as root).
run:
	bash scripts/setup.sh run
	go run ./cmd/quotacert serve --demo --base-url http://127.0.0.1:8080

# Run every test: installs missing test packages when root, uses local PostgreSQL when it answers.
test:
	bash scripts/test.sh

# Run every benchmark of the repository once (-benchtime 1x), no tests: a quick check that they run,
# with first figures. Measure with BENCHTIME=3s (or 50x) and pick some with BENCH=Placement.
# PostgreSQL benchmarks run when QUOTACERT_TEST_PG is exported, and skip otherwise.
BENCH ?= .
BENCHTIME ?= 1x
bench:
	go test -run='^$$' -bench='$(BENCH)' -benchtime=$(BENCHTIME) -benchmem -timeout 30m ./...

build:
	go build -o bin/quotacert ./cmd/quotacert

clean:
	rm -rf bin
