# quotacert: the two commands of the README, and a few helpers.
.PHONY: run test build fuzz clean

# Run the system on its embedded default (SQLite and files in ./data) with the demo data; installs the
# letter fonts first when they are missing (as root).
run:
	bash scripts/setup.sh run
	go run ./cmd/quotacert serve --demo

# Run every test: installs missing test packages when root, uses local PostgreSQL when it answers.
test:
	bash scripts/test.sh

build:
	go build -o bin/quotacert ./cmd/quotacert

clean:
	rm -rf bin
