# shellcheck shell=bash
# Finds a JDK 21 or newer. Source this file, then call find_jdk: on success it prints the JDK's
# home directory and returns 0; otherwise it says on stderr what is missing and how to get it, and
# returns 1. Order: $JAVA_HOME, the java on $PATH, then the newest JDK under $OOMLENS_JDK_DIRS
# (colon-separated, default /usr/lib/jvm) that qualifies.
#
#   . scripts/find-jdk.sh
#   JAVA_HOME=$(find_jdk) || exit 1
#   JAVA_HOME=$(find_jdk_cached oomlens-cli/target/jdk-home) || exit 1   # remembers the choice
#
# A JDK's version is read from its release file (JAVA_VERSION="25.0.1"); java is run only for a
# JDK that has none. find_jdk_cached reuses the choice written in its file while JAVA_HOME, the
# java on PATH and the JDK directories are as they were and the chosen JDK is still there; a
# JAVA_HOME that qualifies is taken first, without reading the file.

OOMLENS_MIN_JAVA=${OOMLENS_MIN_JAVA:-21}
OOMLENS_JDK_DIRS=${OOMLENS_JDK_DIRS:-/usr/lib/jvm}

# The feature release (8, 17, 21, 25...) in a version string: "25.0.1", "21", "1.8.0_392",
# "26-ea". Sets REPLY; false if there is none.
jdk_feature_of() {
  local version=${1#1.}  # Java 8 and older call themselves 1.8
  version=${version%%[!0-9]*}
  [ -n "$version" ] || return 1
  REPLY=$version
}

# The feature release of the JDK or JRE at home $1, in REPLY: from its release file, else by
# asking its java. False if neither tells.
jdk_home_version() {
  local home=$1 line version=''
  if [ -r "$home/release" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      case $line in
        JAVA_VERSION=*)
          version=${line#JAVA_VERSION=}
          version=${version//\"/}
          break
          ;;
      esac
    done <"$home/release"
  fi
  if [ -z "$version" ]; then
    [ -x "$home/bin/java" ] || return 1
    version=$("$home/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java\.specification\.version = *//p' | head -n 1)
  fi
  jdk_feature_of "$version"
}

# The feature release of the java binary $1 (bin/java of a JDK home, not a symlink to it),
# printed; nothing and false if it cannot be told.
jdk_feature_version() {
  jdk_home_version "${1%/bin/java}" && printf '%s\n' "$REPLY"
}

# True when $1 is a JDK home (has javac, so Maven can build) of at least OOMLENS_MIN_JAVA; its
# feature release is left in REPLY.
jdk_home_qualifies() {
  local home=$1
  [ -n "$home" ] && [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
  jdk_home_version "$home" || return 1
  [ "$REPLY" -ge "$OOMLENS_MIN_JAVA" ]
}

# The search past JAVA_HOME, uncached: the java on PATH, then the JDK directories. Prints the
# JDK's home, or returns 1 silently.
jdk_search() {
  local java home dir dirs candidate best='' best_version=0
  if java=$(command -v java 2>/dev/null); then
    java=$(readlink -f "$java")
    home=${java%/bin/java}
    if [ "$home" != "$java" ] && jdk_home_qualifies "$home"; then
      printf '%s\n' "$home"
      return 0
    fi
  fi
  IFS=: read -r -a dirs <<<"$OOMLENS_JDK_DIRS"
  for dir in "${dirs[@]}"; do
    for candidate in "$dir"/*/; do
      candidate=${candidate%/}
      [ -d "$candidate" ] || continue
      jdk_home_qualifies "$candidate" || continue
      if [ "$REPLY" -gt "$best_version" ]; then
        best=$candidate
        best_version=$REPLY
      fi
    done
  done
  [ -n "$best" ] || return 1
  printf '%s\n' "$best"
}

find_jdk() {
  find_jdk_cached ''
}

# find_jdk, remembering the choice in the file $1 (none if empty).
find_jdk_cached() {
  local cache=$1 key='' line home='' dir dirs path_java=''
  # A JAVA_HOME that qualifies is taken as it is: reading its release file starts no process.
  if [ -n "${JAVA_HOME:-}" ] && jdk_home_qualifies "$JAVA_HOME"; then
    printf '%s\n' "$JAVA_HOME"
    return 0
  fi
  if [ -n "$cache" ]; then
    # What the choice depends on; the java on PATH resolved, as `update-alternatives` moves it.
    key="min=$OOMLENS_MIN_JAVA java_home=${JAVA_HOME:-} dirs=$OOMLENS_JDK_DIRS java="
    if path_java=$(command -v java 2>/dev/null); then
      key+=$(readlink -f "$path_java")
    fi
    if [ -f "$cache" ] && { IFS= read -r line && IFS= read -r home; } <"$cache" \
      && [ "$line" = "$key" ] && [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ]; then
      # A JDK installed or removed since changes its parent directory.
      IFS=: read -r -a dirs <<<"$OOMLENS_JDK_DIRS"
      for dir in "${dirs[@]}"; do
        if [ "$dir" -nt "$cache" ]; then
          home=''
        fi
      done
      if [ -n "$home" ]; then
        printf '%s\n' "$home"
        return 0
      fi
    fi
  fi
  if home=$(jdk_search); then
    # Remembered only where it can be; a cache that cannot be written is no error.
    case $cache in
      */*) dir=${cache%/*} ;;
      *) dir=. ;;
    esac
    if [ -n "$cache" ] && mkdir -p "$dir" 2>/dev/null; then
      printf '%s\n%s\n' "$key" "$home" 2>/dev/null >"$cache" || rm -f "$cache"
    fi
    printf '%s\n' "$home"
    return 0
  fi
  path_java=$(command -v java 2>/dev/null) || path_java=''
  {
    echo "oomlens needs a JDK $OOMLENS_MIN_JAVA or newer, and none was found."
    if [ -n "${JAVA_HOME:-}" ]; then
      echo "  JAVA_HOME=$JAVA_HOME is not one (java $(jdk_feature_version "$JAVA_HOME/bin/java" \
        || echo 'missing'), javac $([ -x "$JAVA_HOME/bin/javac" ] && echo found || echo missing))."
    fi
    if [ -n "$path_java" ]; then
      echo "  java on PATH ($path_java) is version $(jdk_feature_version "$(readlink -f "$path_java")" \
        || echo 'unknown')."
    fi
    echo "  Looked in ${OOMLENS_JDK_DIRS//:/\/*, }/* too."
    echo "Install one, for example:"
    echo "  Debian/Ubuntu: sudo apt-get install openjdk-21-jdk-headless"
    echo "  elsewhere:     Eclipse Temurin 21 from adoptium.net"
    echo "then run again, or point JAVA_HOME at one."
  } >&2
  return 1
}
