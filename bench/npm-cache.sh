#!/usr/bin/env bash
# npm install time with Kiln's shared package store warm against a cold cache, for one project.
#   cold:   an empty npm cache (a project's first build on a node before this issue, every project's first build)
#   shared: a cache holding only _cacache/content-v2 hard-linked from another cache, which is what
#           Kiln's store gives a project's first build once any project on the node has the packages
#   own:    npm's own warm cache (index and content), the reference: a project's second build
# Usage: bench/npm-cache.sh [runs]   (needs node, npm and the npm registry)
set -euo pipefail
runs="${1:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > package.json <<'JSON'
{"name": "bench", "version": "1.0.0", "private": true,
 "dependencies": {"react": "18.3.1", "react-dom": "18.3.1", "lodash": "4.17.21", "date-fns": "3.6.0", "marked": "12.0.2"}}
JSON
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
npm install --package-lock-only --omit-lockfile-registry-resolved=false --cache "$work/seed" >/dev/null 2>&1
npm ci --cache "$work/seed" >/dev/null 2>&1
packages=$(ls node_modules | wc -l)
size=$(du -sk "$work/seed/_cacache/content-v2" | cut -f1)
time_ci() {
  rm -rf node_modules
  local start end
  start=$(date +%s%N)
  npm ci --cache "$1" >/dev/null 2>&1
  end=$(date +%s%N)
  echo $(( (end - start) / 1000000 ))
}
echo "| run | cold (ms) | shared store (ms) | npm's own warm cache (ms) |"
echo "|---|---|---|---|"
for i in $(seq 1 "$runs"); do
  rm -rf "$work/cold" "$work/shared"
  cold=$(time_ci "$work/cold")
  mkdir -p "$work/shared/_cacache"
  cp -al "$work/seed/_cacache/content-v2" "$work/shared/_cacache/content-v2"
  shared=$(time_ci "$work/shared")
  own=$(time_ci "$work/seed")
  echo "| $i | $cold | $shared | $own |"
done
echo
echo "$packages packages in node_modules, $size kB of tarballs in the cache; node $(node --version), npm $(npm --version)"
