#!/usr/bin/env bash
# Token endpoint throughput of the Norwegian-model grant (private_key_jwt + DPoP +
# consent lookup + jti store + audit record) on PostgreSQL, beside the same
# server's /healthz, and, in the same run, the oidc-provider peer
# (/work/shared/bench-peers/oidc-provider/run.sh: client credentials with
# private_key_jwt + DPoP). One gateway process on core 0, wrk on core 1.
# Each round: fresh database, fresh keys, pre-generated requests used once.
# Last line: median token rps, peer rps, ratio, p99.
#
# Knobs (env): ROUNDS=3 CONNS=32 DURATION=10 WARMUP=10 N=15000 N_WARMUP=12000 PORT=8400
#   PG_ADMIN_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres PEER=1 (0: skip the peer)
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-32}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-10}
N=${N:-15000}
N_WARMUP=${N_WARMUP:-12000}
PORT=${PORT:-8400}
PEER=${PEER:-1}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}
PEER_DIR=/work/shared/bench-peers/oidc-provider
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
trap cleanup EXIT

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

start_gateway() { # database-url
  SAMTYKKE_DATABASE_URL=$1 SAMTYKKE_ISSUER_URL=$ISSUER SAMTYKKE_KEY_DIR=$RUN/keys \
    SAMTYKKE_LOG_LEVEL=warning SAMTYKKE_MODE=test BENCH_RUN_DIR=$RUN \
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
  token=$(wrk_run "$ISSUER/oauth/token" "$RUN/measure.txt" "$DURATION")
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
  echo "{\"round\":$round,\"token\":$token,\"healthz\":$healthz,\"peer\":$peer}" | tee -a "$RUN.results" >&2
done
trap - EXIT

$PY - "$RUN.results" <<'PYEOF'
import json, statistics, sys
rounds = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
def med(path):
    values = [r[path[0]].get(path[1]) for r in rounds if r[path[0]].get(path[1]) is not None]
    return statistics.median(values) if values else float("nan")
token, p99, peer, healthz = med(("token", "rps_ok")), med(("token", "p99_ms")), med(("peer", "rps_ok")), med(("healthz", "rps_ok"))
errors = sum(r["token"]["non2xx"] + r["token"]["socket_errors"] for r in rounds)
wrapped = any(r["token"]["wrapped"] for r in rounds)
print(f"rounds={len(rounds)} token errors={errors}{' WRAPPED: raise N' if wrapped else ''}")
print(f"samtykke token rps={token:.1f} p99={p99:.1f}ms healthz rps={healthz:.1f} "
      f"oidc-provider rps={peer:.1f} ratio={token / peer:.3f}")
PYEOF
