# The front door.  On a machine with python3, make and git:
#   make book                      build the site for the bundled dataset into _build/html
#   make book DATA=dir OUT=dir     build the whole book for another dataset
#   make test                      run every test (unit, contract, builds, nbval, browser)
#   make check                     the fast loop: unit, analysis and contract tests, no builds, one
#                                  cohort or variant per rule (< 30 s)
#   make lint                      ruff check and ruff format --check
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   ?=
OUT    ?=
ARGS   ?=

.PHONY: setup book test check lint format validate clean freeze bench

# Where the environment sets PYTHONDONTWRITEBYTECODE (this machine does), every process compiled
# every module of the package again, and pytest rewrote every test file's asserts again (about 4 s
# per test worker).  Compiled files go to __pycache__ folders, which git ignores and the build's
# cache keys leave out.
unexport PYTHONDONTWRITEBYTECODE

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements.txt
	@# the package is imported from src/ through a .pth file (an editable install without a build backend)
	$(BIN)/python -c "import site, pathlib; pathlib.Path(site.getsitepackages()[0], 'sle_cart_src.pth').write_text('$(CURDIR)/src\n')"
	@touch $(STAMP)

setup: $(STAMP)

book: setup
	$(BIN)/python -m sle_cart build $(if $(DATA),--data "$(DATA)") $(if $(OUT),--out "$(OUT)") $(ARGS)

# Both use the machine's two cores (pytest-xdist); make test keeps each file's tests on one worker,
# so a file's module fixtures (a built site, a cohort) are made once.
test: setup
	$(BIN)/python -m pytest -n 2 --dist loadfile $(ARGS)

check: setup
	SLE_CART_HYPOTHESIS=quick $(BIN)/python -m pytest -q -n 2 -o addopts="-p no:cacheprovider" -m "not build and not browser and not breadth" tests $(ARGS)

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: setup
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

validate: setup
	$(BIN)/python -m sle_cart validate "$(or $(DATA),data/im19-sle)"

bench: setup
	$(BIN)/python bench/run.py

freeze: setup
	{ sed -n '1,3p' requirements.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^sle-cart\|^# Editable'; } > requirements.new && mv requirements.new requirements.txt

clean:
	rm -rf _build
