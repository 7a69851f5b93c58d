#!/usr/bin/env bash
# Token endpoint throughput of the Norwegian-model grant (private_key_jwt + DPoP +
# consent lookup + jti store + audit record) on PostgreSQL, beside the same
# server's /healthz, and, in the same run, the oidc-provider peer
# (../shared/bench-peers/oidc-provider/run.sh beside the repository, copied to a
# temporary folder and run there: client credentials with private_key_jwt +
# DPoP). One gateway process on core 0, wrk on core 1.
# Each round: fresh database, fresh keys, pre-generated requests used once.
# Prints its command line and the load average first; then per round a JSON
# line; then the medians: token rps, p99, the gateway's CPU per token (user+system
# of its process during the measurement) and resident memory, peer rps, load
# average; the ratio to the peer is the last line.
#
# Knobs (env): ROUNDS=3 CONNS=32 DURATION=10 WARMUP=10 N=15000 N_WARMUP=12000 PORT=8400
#   PG_ADMIN_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres PEER=1 (0: skip the peer)
#   PEER_SOURCE (default: ../shared/bench-peers/oidc-provider from the repository root)
#   PROFILE=1: py-spy (in .venv/bin; --gil: the thread holding the GIL, --nonblocking)
#   samples the gateway during each measurement and
#   writes bench/results/oauth/profile-<round>.txt (the hottest functions, self and total)
set -euo pipefail
echo "[bench/oauth] command: $(printf '%q ' env ROUNDS="${ROUNDS:-3}" CONNS="${CONNS:-32}" PEER="${PEER:-1}" "$0" "$@")"
echo "[bench/oauth] load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
cd "$(dirname "$0")/../.."

ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-32}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-10}
N=${N:-15000}
N_WARMUP=${N_WARMUP:-12000}
PORT=${PORT:-8400}
PEER=${PEER:-1}
PROFILE=${PROFILE:-0}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}
peer_source() { # the peer beside this repository, or beside the main checkout of a worktree
  local candidate=../shared/bench-peers/oidc-provider
  if [ ! -d "$candidate" ]; then
    candidate="$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null)/../../shared/bench-peers/oidc-provider"
  fi
  echo "$candidate"
}
PEER_SOURCE=${PEER_SOURCE:-$(peer_source)}
PEER_DIR=
PY=.venv/bin/python
RUN=bench/oauth/run
ISSUER="http://127.0.0.1:${PORT}"

log() { echo "[bench/oauth] $*" >&2; }
SERVER_PID=
DB_NAME=
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
  if [ -n "$DB_NAME" ]; then db drop "$DB_NAME"; DB_NAME=; fi
}
remove_peer_copy() {
  if [ -n "$PEER_DIR" ]; then rm -rf "$PEER_DIR"; PEER_DIR=; fi
}
trap 'cleanup; remove_peer_copy' EXIT

if [ "$PEER" = 1 ]; then
  [ -f "$PEER_SOURCE/run.sh" ] || { log "peer not found at $PEER_SOURCE (set PEER_SOURCE or PEER=0)"; exit 1; }
  # The peer installs its packages and writes its run files where it runs: never
  # in the shared copy.
  PEER_DIR=$(mktemp -d)
  tar -C "$PEER_SOURCE" --exclude=./node_modules --exclude=./run -cf - . | tar -C "$PEER_DIR" -xf -
  log "peer copied from $PEER_SOURCE to $PEER_DIR"
fi

db() { # create|drop name
  $PY - "$PG_ADMIN_URL" "$1" "$2" <<'PYEOF'
import sys
from sqlalchemy import create_engine, text
url, action, name = sys.argv[1:]
engine = create_engine(url, isolation_level="AUTOCOMMIT")
with engine.connect() as connection:
    if action == "create":
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    else:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
engine.dispose()
PYEOF
}

wrk_run() { # url file seconds [method] -> RESULT json
  taskset -c 1 wrk -t1 -c"$CONNS" -d"$3s" --timeout 10s -s bench/oauth/replay.lua "$1" \
    -- "$2" 1 "" "${4:-POST}" | sed -n 's/^RESULT //p'
}

cpu_ticks() { # pid -> user+system CPU of the process (all threads), in clock ticks
  awk '{print $14 + $15}' "/proc/$1/stat"
}

start_gateway() { # database-url
  SAMTYKKE_DATABASE_URL=$1 SAMTYKKE_ISSUER_URL=$ISSUER SAMTYKKE_KEY_DIR=$RUN/keys \
    SAMTYKKE_LOG_LEVEL=warning SAMTYKKE_MODE=test \
    taskset -c 0 .venv/bin/uvicorn --factory bench.oauth.app:create_bench_app \
    --host 127.0.0.1 --port "$PORT" --no-access-log --log-level warning >"$RUN/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    curl -sf -o /dev/null "$ISSUER/healthz" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$RUN/server.log" >&2; exit 1; }
    sleep 0.1
  done
  log "gateway did not come up"; exit 1
}

: >"$RUN.results" 2>/dev/null || { mkdir -p "$(dirname "$RUN")"; : >"$RUN.results"; }
for round in $(seq "$ROUNDS"); do
  rm -rf "$RUN" && mkdir -p "$RUN"
  DB_NAME="samtykke_bench_$$_$round"
  db create "$DB_NAME"
  DB_URL="${PG_ADMIN_URL%/*}/$DB_NAME"
  $PY -m bench.oauth.setup_bench "$DB_URL" "$RUN"
  start_gateway "$DB_URL"
  $PY -m bench.oauth.pregen "$RUN" 1 "$RUN/sanity.txt" "$ISSUER"
  $PY -m bench.oauth.pregen "$RUN" "$N_WARMUP" "$RUN/warmup.txt" "$ISSUER"
  $PY -m bench.oauth.pregen "$RUN" "$N" "$RUN/measure.txt" "$ISSUER"
  IFS=$'\t' read -r body proof <"$RUN/sanity.txt"
  curl -s -X POST "$ISSUER/oauth/token" -H "DPoP: $proof" \
    -H 'Content-Type: application/x-www-form-urlencoded' --data "$body" \
    | $PY -c 'import json,sys; r=json.load(sys.stdin); assert r.get("token_type")=="DPoP", r; print("[bench/oauth] sanity ok:", r["scope"], file=sys.stderr)'
  log "round $round: token warmup ${WARMUP}s"
  wrk_run "$ISSUER/oauth/token" "$RUN/warmup.txt" "$WARMUP" >/dev/null
  log "round $round: token measure ${DURATION}s (c=$CONNS)"
  cpu_before=$(cpu_ticks "$SERVER_PID")
  SPY_PID=
  if [ "$PROFILE" = 1 ]; then
    .venv/bin/py-spy record -p "$SERVER_PID" -d "$DURATION" -r 100 --gil --nonblocking --format raw \
      -o "$RUN/profile-$round.raw" >/dev/null 2>&1 &
    SPY_PID=$!
  fi
  token=$(wrk_run "$ISSUER/oauth/token" "$RUN/measure.txt" "$DURATION")
  cpu_after=$(cpu_ticks "$SERVER_PID")
  if [ -n "$SPY_PID" ]; then
    mkdir -p bench/results/oauth
    wait "$SPY_PID" || true
    $PY -m bench.profile_top "$RUN/profile-$round.raw" >"bench/results/oauth/profile-$round.txt"
    log "round $round: profile in bench/results/oauth/profile-$round.txt"
  fi
  rss_kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status")
  # The gateway's own CPU per token: steadier than rps on a shared machine.
  token=$($PY -c 'import json,sys,os; r=json.loads(sys.argv[1]); t=(int(sys.argv[3])-int(sys.argv[2]))/os.sysconf("SC_CLK_TCK"); r["cpu_ms_per_request"]=round(1000*t/max(r["requests"],1),3); r["rss_mib"]=round(int(sys.argv[4])/1024,1); print(json.dumps(r))' "$token" "$cpu_before" "$cpu_after" "$rss_kib")
  log "round $round: healthz"
  wrk_run "$ISSUER/healthz" "$RUN/measure.txt" 5 GET >/dev/null
  healthz=$(wrk_run "$ISSUER/healthz" "$RUN/measure.txt" "$DURATION" GET)
  cleanup
  peer='{}'
  if [ "$PEER" = 1 ]; then
    log "round $round: oidc-provider peer"
    (cd "$PEER_DIR" && ./run.sh >/dev/null)
    peer=$(cat "$PEER_DIR/run/token.json")
  fi
  load=$(cut -d' ' -f1 /proc/loadavg)
  echo "{\"round\":$round,\"load\":$load,\"token\":$token,\"healthz\":$healthz,\"peer\":$peer}" | tee -a "$RUN.results" >&2
done
remove_peer_copy
trap - EXIT

$PY - "$RUN.results" <<'PYEOF'
import json, os, statistics, sys
rounds = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
def med(path):
    values = [r[path[0]].get(path[1]) for r in rounds if r[path[0]].get(path[1]) is not None]
    return statistics.median(values) if values else float("nan")
token, p99, peer, healthz = med(("token", "rps_ok")), med(("token", "p99_ms")), med(("peer", "rps_ok")), med(("healthz", "rps_ok"))
cpu, rss = med(("token", "cpu_ms_per_request")), med(("token", "rss_mib"))
errors = sum(r["token"]["non2xx"] + r["token"]["socket_errors"] for r in rounds)
wrapped = any(r["token"]["wrapped"] for r in rounds)
print(f"rounds={len(rounds)} token errors={errors}{' WRAPPED: raise N' if wrapped else ''}")
print(f"samtykke token rps={token:.1f} p99={p99:.1f}ms gateway cpu/token={cpu:.2f}ms "
      f"rss={rss:.0f}MiB healthz rps={healthz:.1f} oidc-provider rps={peer:.1f}")
print("load average at end: " + " ".join(f"{value:.2f}" for value in os.getloadavg()))
print(f"token ratio samtykke/oidc-provider={token / peer:.3f} (goal >= 1.0)")
PYEOF
