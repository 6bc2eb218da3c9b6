# shellcheck shell=bash
# Shared set-up for bin/serve and bin/test: a virtual environment with the
# module installed in editable mode, and the sao web client.  Each step is
# skipped when what it builds is already there and up to date.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${SERVICE_DESK_VENV:-$ROOT/.venv}
SAO_VERSION=8.0.11
SAO_DIR=$ROOT/.sao/node_modules/tryton-sao
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

setup_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        say "Creating the virtual environment"
        "$PYTHON" -m venv "$VENV"
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
    fi
    local stamp="$VENV/.service-desk-installed"
    local want
    want=$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        say "Installing Tryton 8.0, the module and the test tools"
        "$VENV/bin/python" -m pip install --quiet -e "$ROOT[test]"
        echo "$want" > "$stamp"
    fi
    export PATH="$VENV/bin:$PATH"
}

setup_sao() {
    if [ ! -f "$SAO_DIR/.installed-$SAO_VERSION" ]; then
        say "Installing the sao web client $SAO_VERSION"
        mkdir -p "$ROOT/.sao"
        (cd "$ROOT/.sao" \
            && npm install --no-audit --no-fund --loglevel=error \
                "tryton-sao@$SAO_VERSION" >&2)
        (cd "$SAO_DIR" \
            && npm install --omit=dev --legacy-peer-deps --no-audit \
                --no-fund --loglevel=error >&2)
        rm -f "$SAO_DIR"/locale/*.json.orig
        touch "$SAO_DIR/.installed-$SAO_VERSION"
    fi
    patch_sao_locale
    export SERVICE_DESK_SAO_ROOT=$SAO_DIR
}

# The module's corrections of sao's own strings, service_desk/locale/sao/
# LANG.json (sao's format), over those sao ships (kept as LANG.json.orig).
patch_sao_locale() {
    local fix name
    for fix in "$ROOT"/service_desk/locale/sao/*.json; do
        [ -f "$fix" ] || continue
        name=$(basename "$fix")
        if [ ! -f "$SAO_DIR/locale/$name.orig" ]; then
            cp "$SAO_DIR/locale/$name" "$SAO_DIR/locale/$name.orig"
        fi
        "$PYTHON" - "$SAO_DIR/locale/$name.orig" "$fix" \
            "$SAO_DIR/locale/$name" <<'PY'
import json, sys
with open(sys.argv[1], encoding='utf-8') as file:
    strings = json.load(file)
with open(sys.argv[2], encoding='utf-8') as file:
    strings.update(json.load(file))
with open(sys.argv[3], 'w', encoding='utf-8') as file:
    json.dump(strings, file, ensure_ascii=False)
PY
    done
}

# Digests of sources: test databases built from an older module or demo
# loader are rebuilt, the demo database is updated when the module changed
# and rebuilt when its loader did.  The users of the demo are defined with
# the scenarios' helpers in service_desk/tests/tools.py.
digest_of() {
    (cd "$ROOT" && find "$@" -type f \
        \( -name '*.py' -o -name '*.xml' -o -name '*.cfg' -o -name '*.po' \) \
        \( -not -path '*/tests/*' -o -path '*/tests/tools.py' \) -print0 \
        | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
}
module_digest() { digest_of service_desk demo; }
demo_digest() { digest_of demo service_desk/tests/tools.py; }
