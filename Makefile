# trigo: common tasks. `make help` lists them.

GO      ?= go
PYTHON  ?= /usr/bin/python3
BIN     := trigo
EXAMPLE := models/examples/jet_tagger
FUZZTIME ?= 30s
# apt-get needs root: use sudo only when not root already.
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEB_PACKAGES := verilator iverilog yosys python3-torch python3-onnx python3-numpy

.PHONY: help build test demo bench tools fuzz vet clean

help:
	@echo "make build   build ./$(BIN)"
	@echo "make test    vet + all Go tests + Python model tests (what CI runs)"
	@echo "make demo    compile the bundled jet tagger with calibration data and simulate it"
	@echo "make bench   run every benchmark"
	@echo "make tools   apt-get install $(DEB_PACKAGES)"
	@echo "make fuzz    run each fuzz target for $(FUZZTIME)"
	@echo "make vet     go vet ./..."

build:
	$(GO) build -o $(BIN) ./cmd/trigo

# The test command of README.md and .ci/run.
test:
	go vet ./... && go test -timeout 80m ./... && (cd models && /usr/bin/python3 -m unittest discover -s tests)

demo: build
	./$(BIN) compile $(EXAMPLE)/model.onnx --calib $(EXAMPLE)/calib.npy -o out/jet_tagger
	./$(BIN) sim out/jet_tagger --input $(EXAMPLE)/x.npy --output out/jet_tagger.y_fixed.npy
	./$(BIN) sim out/jet_tagger --float --input $(EXAMPLE)/x.npy --output out/jet_tagger.y_float.npy
	@echo
	@echo "== out/jet_tagger/report.txt =="
	@cat out/jet_tagger/report.txt

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

tools:
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $(DEB_PACKAGES)

# Every Fuzz* function of every package, one after the other.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -run='^$$' -fuzz="^$$f\$$" -fuzztime=$(FUZZTIME) $$pkg; \
	  done; \
	done

vet:
	$(GO) vet ./...

clean:
	rm -rf $(BIN) out
