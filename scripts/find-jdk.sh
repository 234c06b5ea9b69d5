# shellcheck shell=bash
# Finds a JDK 21 or newer. Source this file, then call find_jdk: on success it prints the JDK's
# home directory and returns 0; otherwise it says on stderr what is missing and how to get it, and
# returns 1. Order: $JAVA_HOME, the java on $PATH, then the newest /usr/lib/jvm/* that qualifies.
#
#   . scripts/find-jdk.sh
#   JAVA_HOME=$(find_jdk) || exit 1

OOMLENS_MIN_JAVA=${OOMLENS_MIN_JAVA:-21}

# The feature release (8, 17, 21, 25...) of the java binary $1, or nothing if it does not run.
jdk_feature_version() {
  local java=$1 version
  [ -x "$java" ] || return 1
  version=$("$java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = *//p' | head -n 1)
  case $version in
    1.*) version=${version#1.} ;;  # Java 8 and older call themselves 1.8
  esac
  case $version in
    '' | *[!0-9]*) return 1 ;;
  esac
  printf '%s\n' "$version"
}

# True when $1 is a JDK home (has javac, so Maven can build) of at least OOMLENS_MIN_JAVA.
jdk_home_qualifies() {
  local home=$1 version
  [ -n "$home" ] && [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
  version=$(jdk_feature_version "$home/bin/java") || return 1
  [ "$version" -ge "$OOMLENS_MIN_JAVA" ]
}

find_jdk() {
  local java home candidate best='' best_version=0 version
  if [ -n "${JAVA_HOME:-}" ] && jdk_home_qualifies "$JAVA_HOME"; then
    printf '%s\n' "$JAVA_HOME"
    return 0
  fi
  if java=$(command -v java 2>/dev/null); then
    home=$(dirname "$(dirname "$(readlink -f "$java")")")
    if jdk_home_qualifies "$home"; then
      printf '%s\n' "$home"
      return 0
    fi
  fi
  for candidate in /usr/lib/jvm/*/; do
    candidate=${candidate%/}
    [ -d "$candidate" ] || continue
    jdk_home_qualifies "$candidate" || continue
    version=$(jdk_feature_version "$candidate/bin/java")
    if [ "$version" -gt "$best_version" ]; then
      best=$candidate
      best_version=$version
    fi
  done
  if [ -n "$best" ]; then
    printf '%s\n' "$best"
    return 0
  fi
  {
    echo "oomlens needs a JDK $OOMLENS_MIN_JAVA or newer, and none was found."
    if [ -n "${JAVA_HOME:-}" ]; then
      echo "  JAVA_HOME=$JAVA_HOME is not one (java $(jdk_feature_version "$JAVA_HOME/bin/java" \
        || echo 'missing'))."
    fi
    if [ -n "${java:-}" ]; then
      echo "  java on PATH ($java) is version $(jdk_feature_version "$java" || echo 'unknown')."
    fi
    echo "  Looked in /usr/lib/jvm/* too."
    echo "Install one, for example:"
    echo "  Debian/Ubuntu: sudo apt-get install openjdk-21-jdk-headless"
    echo "  elsewhere:     Eclipse Temurin 21 from adoptium.net"
    echo "then run again, or point JAVA_HOME at it."
  } >&2
  return 1
}
