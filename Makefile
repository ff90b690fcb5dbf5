# mysite: `make up` runs the whole stack, `make test` runs every test. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := libs/common services/auth services/site services/chatbot services/kakao stack testing \
	deploy/container deploy/aws
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: up test prerequisites lint typecheck unit e2e compose-up compose-down compose-test bench eval install constraints clean

$(STAMP): requirements/dev.txt requirements/constraints.txt $(foreach p,$(PACKAGES),$(p)/pyproject.toml)
	@$(PYTHON) -c 'import sys; sys.exit("mysite needs Python 3.11 or newer" if sys.version_info < (3, 11) else 0)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -r requirements/dev.txt \
		$(foreach p,$(PACKAGES),-e $(p))
	touch $(STAMP)

install: $(STAMP)

up: $(STAMP)
	$(BIN)/python -m mysite_stack up $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The eval's scripts by module name: they import each other as services.chatbot.eval.*,
# and by file path mypy_path would name them "eval.*" too.
typecheck: $(STAMP)
	$(BIN)/mypy libs/common/mysite_common services/auth/mysite_auth services/site/mysite_site \
		services/chatbot/mysite_chatbot services/kakao/mysite_kakao stack/mysite_stack \
		testing/mysite_testing deploy/container/mysite_container deploy/aws/mysite_deploy
	$(BIN)/mypy tests/e2e/*.py
	$(BIN)/mypy $(patsubst %.py,-m services.chatbot.eval.%,$(notdir $(wildcard services/chatbot/eval/*.py)))

unit: $(STAMP)
	$(BIN)/pytest libs services stack testing -q

e2e: $(STAMP)
	$(BIN)/pytest tests/e2e -q

# compose.yaml on this machine: images built (from Debian packages and deploy/wheelhouse/ when
# no registry answers), gateway on 127.0.0.1:${MYSITE_PORT:-8000}, settings from the
# environment or .env, secrets generated into .data/compose/. Returns once everything routes.
# compose-down keeps the data volumes unless ARGS=--volumes.
compose-up: $(STAMP)
	$(BIN)/python -m mysite_stack.compose up $(ARGS)

compose-down: $(STAMP)
	$(BIN)/python -m mysite_stack.compose down $(ARGS)

# The stack in Docker Compose, built from the real Dockerfiles and tested end to end through
# its published port (tests/compose; a Compose project of its own, taken down with its
# volumes). `make test` runs the same tests whenever a Docker Engine answers.
compose-test: $(STAMP)
	$(BIN)/pytest tests/compose -q

# MariaDB, Chromium, the Docker Engine...: installed where absent, started where stopped.
prerequisites:
	bash .ci/prerequisites

test: prerequisites lint typecheck
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m bench $(ARGS)

eval: $(STAMP)
	$(BIN)/python services/chatbot/eval/run_eval.py $(ARGS)

# Retrain the chatbot's models on every labelled question in services/chatbot/eval.
train: $(STAMP)
	$(BIN)/python -m services.chatbot.eval.training $(ARGS)

constraints: $(STAMP)
	{ echo "# Every transitive dependency, pinned, so a fresh machine installs what CI tested."; \
	  echo "# Refresh: make constraints"; \
	  $(BIN)/pip freeze --exclude-editable | grep -v ' @ ' | sort; } > requirements/constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
