# Two commands for users: `make study` runs the notebooks, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NOTEBOOKS := 01_data_exploration 02_augmentation 03_train_resnet50 04_train_resnet101 05_train_resnet152 06_comparative_evaluation 07_explainability
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: study test lab notebooks venv bench

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[notebooks,test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name brainlib --display-name "Python (brainlib)" > /dev/null
	@touch $(STAMP)

# Run notebooks 01 to 07 in order, in place, with papermill; cell outputs stream to the terminal.
study: $(STAMP)
	@start=$$(date +%s); \
	for notebook in $(NOTEBOOKS); do \
		echo "== $$notebook (profile $${BRAINLIB_PROFILE:-cpu}) =="; \
		(cd notebooks && ../$(BIN)/papermill --log-output --kernel python3 $$notebook.ipynb $$notebook.ipynb) || exit 1; \
	done; \
	echo "Study finished in $$(( $$(date +%s) - start )) s."; \
	echo "Figures: figures/*.png; Table 2 (newest run per depth): figures/table2.csv; run records: results/"

test: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env tests notebooks

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

# Rewrite the notebook sources from scripts/build_notebooks.py (clears their outputs).
notebooks: $(STAMP)
	$(BIN)/python scripts/build_notebooks.py

# Training and inference images/s of brainlib's pipeline, a plain Keras pipeline and in-memory tensors,
# and a frozen backbone with and without cached features (DEPTH=101 SIZE=96 make bench for others).
bench: $(STAMP)
	$(BIN)/python -m brainlib bench --depth $${DEPTH:-50} --image-size $${SIZE:-128} --out figures/bench_resnet$${DEPTH:-50}_$${SIZE:-128}.json
