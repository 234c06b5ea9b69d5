#!/usr/bin/env bash
# Builds the kubectl plugin's archive (kubectl-oomlens and oomlens.jar) and its krew manifest:
#   deploy/package.sh BASE_URL    e.g. https://github.com/oomlens/oomlens/releases/download/v0.1.0
# writes target/kubectl-oomlens.tar.gz and target/krew/oomlens.yaml (uri BASE_URL/kubectl-oomlens.tar.gz,
# sha256 of the archive written). Run after ./mvnw -B package.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
base=${1:?usage: deploy/package.sh BASE_URL (where the archive will be published)}
jar=$root/oomlens-cli/target/oomlens.jar
[ -f "$jar" ] || { echo "package.sh: $jar missing: run ./mvnw -B package first" >&2; exit 3; }
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$root/pom.xml" | head -1)
out=$root/target
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$root/deploy/kubectl-oomlens" "$jar" "$stage/"
mkdir -p "$out/krew"
# Reproducible: fixed order, owner and time, so the sha256 is the archive's, not the moment's.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$stage" -cf - \
  kubectl-oomlens oomlens.jar | gzip -n > "$out/kubectl-oomlens.tar.gz"
sha=$(sha256sum "$out/kubectl-oomlens.tar.gz" | cut -d' ' -f1)
URI="${base%/}/kubectl-oomlens.tar.gz" SHA256=$sha VERSION=${version%-SNAPSHOT} \
  envsubst '${URI} ${SHA256} ${VERSION}' < "$root/deploy/krew/oomlens.yaml.tmpl" \
  | sed '1,2d' > "$out/krew/oomlens.yaml"
echo "$out/kubectl-oomlens.tar.gz (sha256 $sha)"
echo "$out/krew/oomlens.yaml"
