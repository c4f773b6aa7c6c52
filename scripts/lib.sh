# Shared by the install scripts: set SCRIPT_NAME before sourcing.

die() {
  echo "${SCRIPT_NAME:-install}: $*" >&2
  exit 1
}

# Runs a command, showing its output only if it fails.
quiet() {
  local out
  if ! out="$("$@" 2>&1)"; then
    echo "$out" >&2
    die "failed: $*"
  fi
}
