#!/usr/bin/env bash
# Resolve the Apache Kafka broker jars (KRaft mode) from Maven Central into
# .cache/kafka/<version>/libs/ and print that directory on the last line.
#
# Used by `make kafka` and by the kafka_broker test fixture. Idempotent: when the
# jars are already there it prints the directory without running Maven.
# KAFKA_VERSION overrides the version pinned in scripts/kafka/pom.xml.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
pom="$here/kafka/pom.xml"
default_version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom" | head -n1)"
version="${KAFKA_VERSION:-$default_version}"
dest="$root/.cache/kafka/$version/libs"

if [[ -f "$dest/.complete" ]]; then
    echo "$dest"
    exit 0
fi

if ! command -v mvn >/dev/null 2>&1; then
    echo "kafka_jars: mvn not found; install Maven (Debian: apt-get install maven)" >&2
    exit 3
fi

mkdir -p "$root/.cache"
staging="$(mktemp -d "$root/.cache/kafka.XXXXXX")"
trap 'rm -rf "$staging"' EXIT

echo "kafka_jars: resolving org.apache.kafka:kafka_2.13:$version with Maven" >&2
if ! mvn -q -B -Dstyle.color=never -f "$pom" \
        -Dkafka.version="$version" \
        -DincludeScope=runtime \
        -DoutputDirectory="$staging/libs" \
        dependency:copy-dependencies </dev/null >"$staging/mvn.log" 2>&1; then
    # The log without colour codes and Maven's generic help lines.
    sed -e 's/\x1b\[[0-9;]*m//g' "$staging/mvn.log" \
        | grep -v -E '^\[ERROR\] *$|^\[ERROR\] \[Help 1\]|-e switch|-X switch|possible solutions' | tail -n 40 >&2 || true
    echo "kafka_jars: Maven could not resolve Apache Kafka $version" >&2
    exit 4
fi

if ! ls "$staging/libs/kafka_2.13-$version.jar" >/dev/null 2>&1; then
    echo "kafka_jars: kafka_2.13-$version.jar missing after resolution" >&2
    exit 4
fi

touch "$staging/libs/.complete"
mkdir -p "$(dirname "$dest")"
if [[ ! -f "$dest/.complete" ]]; then  # another run may have finished first: keep its copy
    rm -rf "$dest"
    mv "$staging/libs" "$dest"
fi
echo "$dest"
