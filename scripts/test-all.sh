#!/usr/bin/env bash
# Every test, in order, stopping at the first failure (`npm test` runs this):
#   system deps → typecheck → lint → vitest on PGlite → vitest on a throwaway PostgreSQL →
#   build → Playwright end-to-end in Debian's Chromium against the built server.
# The last line printed is "N passed, N failed" over the vitest and Playwright tests (CI reads it);
# the exit code is non-zero on any failure.
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT="$PWD"
export PATH="$ROOT/node_modules/.bin:$PATH"
# The suite chooses its databases itself; a DATABASE_URL from the caller's shell must not leak in.
unset DATABASE_URL TEST_PG_SERVER_URL
# CI may run without a locale; Chinese file names and text need UTF-8.
export LANG="${LANG:-C.UTF-8}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/party-school-test.XXXXXX")"
PG_ROOT=""
PG_BIN=""
PASSED=0
FAILED=0
FAILED_STEP=""
TIMINGS=()

banner() {
  printf '\n==================================================================\n'
  printf '== %s\n' "$*"
  printf '==================================================================\n'
}

stop_postgres() {
  if [ -n "$PG_ROOT" ] && [ -d "$PG_ROOT" ]; then
    if [ -n "$PG_BIN" ] && [ -f "$PG_ROOT/data/postmaster.pid" ]; then
      as_pg "$PG_BIN/pg_ctl" -D "$PG_ROOT/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_ROOT"
  fi
  PG_ROOT=""
}

finish() {
  local status=$?
  stop_postgres
  rm -rf "$WORK"
  if [ ${#TIMINGS[@]} -gt 0 ]; then
    printf '\n---- steps ----\n'
    printf '%s\n' "${TIMINGS[@]}"
  fi
  if [ -n "$FAILED_STEP" ]; then
    printf '\nFAILED at step: %s\n' "$FAILED_STEP"
    [ "$status" -eq 0 ] && status=1
    # A step that fails without failing tests (typecheck, lint, build, a crash) still counts as one.
    [ "$FAILED" -eq 0 ] && FAILED=1
  fi
  echo "$PASSED passed, $FAILED failed"
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

# Runs one step with a banner and its duration; the first failure ends the script.
step() {
  local name="$1"
  shift
  banner "$name"
  local start=$SECONDS
  "$@"
  local rc=$?
  local took=$((SECONDS - start))
  if [ "$rc" -ne 0 ]; then
    TIMINGS+=("$(printf '%-34s FAIL  %4ss' "$name" "$took")")
    FAILED_STEP="$name"
    exit "$rc"
  fi
  TIMINGS+=("$(printf '%-34s ok    %4ss' "$name" "$took")")
}

# Adds a vitest JSON report to the totals; a run that failed with no failed test counts one failure.
count_vitest() {
  local report="$1" rc="$2" counts
  if counts="$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const failedFiles = (r.testResults || []).filter((f) => f.status === "failed" && !(f.assertionResults || []).some((a) => a.status === "failed")).length;
    console.log(r.numPassedTests, r.numFailedTests + failedFiles, r.numTotalTests);
  ' "$report" 2>/dev/null)"; then
    read -r p f total <<<"$counts"
    PASSED=$((PASSED + p))
    FAILED=$((FAILED + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then FAILED=$((FAILED + 1)); fi
    if [ "$total" -eq 0 ]; then
      echo "vitest ran no test" >&2
      return 1
    fi
  else
    echo "no vitest report at $report" >&2
    FAILED=$((FAILED + 1))
  fi
  return "$rc"
}

run_vitest() {
  local label="$1" rc
  vitest run --reporter=default --reporter=json --outputFile.json="$WORK/vitest-$label.json"
  rc=$?
  count_vitest "$WORK/vitest-$label.json" "$rc"
}

# As root, PostgreSQL's programs run as the user postgres (initdb refuses root).
as_pg() {
  if [ "$(id -u)" -ne 0 ]; then
    "$@"
    return
  fi
  local runuser
  runuser="$(PATH="$PATH:/usr/sbin:/sbin" command -v runuser || true)"
  if [ -n "$runuser" ]; then
    "$runuser" -u postgres -- "$@"
  else
    su -s /bin/sh postgres -c "$(printf '%q ' "$@")"
  fi
}

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

start_postgres() {
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    echo "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (Debian package postgresql)" >&2
    return 1
  fi
  PG_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/party-school-pg.XXXXXX")"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$PG_ROOT"; fi
  local port
  port="$(free_port)" || return 1
  echo "initdb with $PG_BIN into $PG_ROOT/data"
  as_pg "$PG_BIN/initdb" -D "$PG_ROOT/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$PG_ROOT/initdb.log" 2>&1 || {
    cat "$PG_ROOT/initdb.log" >&2
    return 1
  }
  # A throwaway cluster: durability off for speed.
  as_pg "$PG_BIN/pg_ctl" -D "$PG_ROOT/data" -l "$PG_ROOT/server.log" -w -t 60 start \
    -o "-h 127.0.0.1 -p $port -k $PG_ROOT -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null || {
    cat "$PG_ROOT/server.log" >&2
    return 1
  }
  PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') listening on 127.0.0.1:$port"
}

run_vitest_postgres() {
  DATABASE_URL="$PG_URL" run_vitest postgres
}

run_e2e() {
  local report="$WORK/e2e.json" rc counts
  E2E_DATA_DIR="$WORK/e2e-data" PLAYWRIGHT_JSON_OUTPUT_FILE="$report" playwright test --reporter=list,json
  rc=$?
  if counts="$(node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).stats;
    console.log(s.expected + s.flaky, s.unexpected, s.expected + s.flaky + s.unexpected + s.skipped);
  ' "$report" 2>/dev/null)"; then
    read -r p f total <<<"$counts"
    PASSED=$((PASSED + p))
    FAILED=$((FAILED + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then FAILED=$((FAILED + 1)); fi
    if [ "$total" -eq 0 ]; then
      echo "playwright ran no test" >&2
      return 1
    fi
  else
    echo "no playwright report at $report" >&2
    FAILED=$((FAILED + 1))
  fi
  return "$rc"
}

step "1/8 system packages" bash scripts/install-system-deps.sh
step "2/8 typecheck" npm run --silent typecheck
step "3/8 lint" npm run --silent lint
step "4/8 vitest on PGlite" run_vitest pglite
step "5/8 start PostgreSQL" start_postgres
step "6/8 vitest on PostgreSQL" run_vitest_postgres
stop_postgres
step "7/8 build" npm run --silent build
step "8/8 e2e (Playwright, Chromium)" run_e2e
banner "all steps passed"
