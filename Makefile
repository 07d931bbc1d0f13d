# The two commands of the README:
#   make reproduce   build every table, figure and the report at paper scale (all local cores)
#   make test        the test suite (what CI runs)
# Both create the virtualenv and install pinned dependencies on first use.
VENV   ?= .venv
CORES  ?= all
export PATH := $(abspath $(VENV))/bin:$(PATH)
export DVC_NO_ANALYTICS := 1
export PYTHONHASHSEED := 0

.PHONY: install reproduce smoke test dvc-yaml benchmarks clean lock

$(VENV)/.installed: pyproject.toml requirements.lock scripts/install.sh
	VENV=$(VENV) scripts/install.sh
	touch $@

install: $(VENV)/.installed

# takes what a published cache holds for unchanged stages (params `published`); COMPUTE_ALL=1
# computes everything
reproduce: install
	dlrepro reproduce --cores $(CORES) $(if $(COMPUTE_ALL),--compute-all)
	@echo "report: results/report/index.html"

smoke: install
	snakemake --cores $(CORES) --configfile config/smoke.yaml

test: install
	python -m pytest

# after changing a pin in pyproject.toml: resolve it into the venv, then record every package
lock:
	$(VENV)/bin/uv pip install --python $(VENV)/bin/python -e '.[dev]'
	scripts/write_lock.sh $(VENV) > requirements.lock

dvc-yaml: install
	dlrepro dvc-yaml

benchmarks: install
	python benchmarks/run.py

clean:
	rm -rf results/* data/processed data/interim .snakemake
