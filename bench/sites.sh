#!/bin/sh
# Serving speed of a deployed site through its production host, next to nginx serving the same
# files in the same run. Needs the distribution (mvn -q -o -B -DskipTests package -pl distribution -am),
# nginx (Debian's nginx-light), wrk, git, curl and python3. Prints a Markdown table.
#
#   bench/sites.sh [--duration 10s] [--connections 32] [--threads 2] [--rounds 2] [--keep]
set -eu

DURATION=10s
CONNECTIONS=32
THREADS=2
ROUNDS=2
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
KILN_HOME=${KILN_HOME:-$ROOT/distribution/target/kiln}
for tool in nginx wrk git curl python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool on the PATH" >&2; exit 2; }
done
[ -x "$KILN_HOME/bin/kiln" ] || { echo "no distribution at $KILN_HOME; build it first" >&2; exit 2; }

WORK=$(mktemp -d)
chmod 755 "$WORK"   # nginx's workers run as another user
KILN_PID=
NGINX_PID=
cleanup() {
  [ -n "$KILN_PID" ] && kill "$KILN_PID" 2>/dev/null && wait "$KILN_PID" 2>/dev/null || true
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
  if [ "$KEEP" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# The site: a 3.5 kB index.html and a 1 MB asset.
SITE=$WORK/site
mkdir -p "$SITE/assets"
python3 - "$SITE" <<'PY'
import os, random, sys
site = sys.argv[1]
body = "".join("<p>Paragraph %d of a small page served many times.</p>\n" % i for i in range(64))
html = "<!doctype html><html><head><meta charset=utf-8><title>bench</title><script src=/assets/app.js></script></head><body>\n"
html = (html + body)[:3500 - len("</body></html>\n")] + "</body></html>\n"
open(os.path.join(site, "index.html"), "w").write(html)
random.seed(1)
open(os.path.join(site, "assets", "app.js"), "wb").write(bytes(random.getrandbits(8) for _ in range(1024 * 1024)))
PY
git -C "$SITE" init -q -b main
git -C "$SITE" -c user.name=bench -c user.email=bench@localhost add -A
git -C "$SITE" -c user.name=bench -c user.email=bench@localhost commit -qm site

# Kiln
KILN_PORT=$(free_port)
TOKEN=bench-$(date +%s)
KILN_ADMIN_TOKEN=$TOKEN "$KILN_HOME/bin/kiln" server --host 127.0.0.1 --port "$KILN_PORT" --data-dir "$WORK/kiln-data" \
  > "$WORK/kiln.log" 2>&1 &
KILN_PID=$!
API=http://127.0.0.1:$KILN_PORT/api/v1/public
for _ in $(seq 1 120); do
  curl -fs "$API/health" >/dev/null 2>&1 && break
  sleep 1
done
curl -fs "$API/health" >/dev/null || { echo "Kiln did not start; see $WORK/kiln.log" >&2; KEEP=1; exit 1; }
auth="Authorization: Bearer $TOKEN"
PROJECT=$(curl -fs -H "$auth" -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench-site\",\"repo_url\":\"file://$SITE\",\"builder\":\"static\"}" "$API/projects" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["id"])')
DEPLOYMENT=$(curl -fs -H "$auth" -X POST "$API/projects/$PROJECT/deployments" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["id"])')
for _ in $(seq 1 120); do
  STATUS=$(curl -fs -H "$auth" "$API/projects/$PROJECT/deployments/$DEPLOYMENT" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["status"])')
  [ "$STATUS" = deployed ] && break
  [ "$STATUS" = failed ] && { echo "deployment failed" >&2; exit 1; }
  sleep 1
done
HOST="bench-site.localhost:$KILN_PORT"
curl -fs -H "Host: $HOST" "http://127.0.0.1:$KILN_PORT/" | cmp -s - "$SITE/index.html" || { echo "Kiln does not serve the site" >&2; exit 1; }

# nginx, as Debian configures it for static files, with logging off as Kiln logs no requests.
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
daemon off;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $SITE;
    location / { add_header Cache-Control "public, max-age=0, must-revalidate"; }
  }
}
CONF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
NGINX_PID=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$NGINX_PORT/" >/dev/null 2>&1 && break; sleep 0.1; done

# wrk's report: requests/s and the 99th percentile latency in ms.
measure() { # name url host
  if [ -n "$3" ]; then
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Host: $3" "$2")
  else
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$2")
  fi
  echo "$out" > "$WORK/wrk-$1.txt"
  if echo "$out" | grep -q "Non-2xx"; then echo "$1: some answers were not 2xx; see $WORK/wrk-$1.txt" >&2; KEEP=1; exit 1; fi
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}')
  echo "$rps $p99"
}

# Warm up both (the JVM compiles the hot path).
wrk -t2 -c"$CONNECTIONS" -d5s -H "Host: $HOST" "http://127.0.0.1:$KILN_PORT/" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d5s -H "Host: $HOST" "http://127.0.0.1:$KILN_PORT/assets/app.js" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$NGINX_PORT/" >/dev/null

echo "| file | server | round | requests/s | p99 latency (ms) |"
echo "|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  for file in "index.html:/" "app.js (1 MB):/assets/app.js"; do
    name=${file%%:*}
    path=${file#*:}
    set -- $(measure "kiln-$round-$name" "http://127.0.0.1:$KILN_PORT$path" "$HOST")
    echo "| $name | Kiln | $round | $1 | $2 |"
    set -- $(measure "nginx-$round-$name" "http://127.0.0.1:$NGINX_PORT$path" "")
    echo "| $name | nginx | $round | $1 | $2 |"
  done
done
echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, keep-alive; Kiln: production host bench-site.localhost, storage local; $(nproc) cores."
