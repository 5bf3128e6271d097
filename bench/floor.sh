#!/bin/sh
# The floor for Kiln's deploy benchmark: the same work as one static deployment, done by a shell
# script: `git clone --depth 1 file://REPO` + copy of the checkout (without .git) to an output
# directory. DeployBench.java times each call; it is also usable on its own:
#
#   bench/floor.sh one  REPO WORKDIR ID     one clone + copy, into WORKDIR/ID
#   bench/floor.sh many REPO WORKDIR COUNT  COUNT of them at once (xargs -P COUNT)
set -e
mode="$1"; repo="$2"; work="$3"; arg="$4"
case "$mode" in
  one)
    d="$work/$arg"
    git clone -q --depth 1 "file://$repo" "$d/src"
    mkdir -p "$d/out"
    cp -r "$d/src/." "$d/out/"
    rm -rf "$d/out/.git"
    ;;
  many)
    seq 1 "$arg" | xargs -P "$arg" -I{} "$0" one "$repo" "$work" "burst-{}"
    ;;
  *)
    echo "usage: $0 one REPO WORKDIR ID | many REPO WORKDIR COUNT" >&2
    exit 2
    ;;
esac
