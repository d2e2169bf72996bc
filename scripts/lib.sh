# Shared by the scripts: checks for the tools they need and builds the jar when it is stale.
# Sourced, not run.

die() {
  echo "error: $*" >&2
  exit 1
}

need_java_and_maven() {
  command -v java >/dev/null 2>&1 \
    || die "java not found. Install a JDK 17 or newer (Debian: apt-get install -y openjdk-17-jdk-headless)."
  command -v mvn >/dev/null 2>&1 \
    || die "mvn not found. Install Maven (Debian: apt-get install -y maven)."
  local version
  version=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
  [ "${version%%.*}" -ge 17 ] 2>/dev/null \
    || die "java ${version:-?} is too old: Switchboard needs Java 17 or newer."
}

# Installs a Debian package when we may (root with apt-get), else says what to run.
apt_install() {
  local package=$1
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing $package (apt-get)..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package") >&2 \
      || die "could not install $package; run: apt-get install -y $package"
  else
    die "$package is missing; install it (Debian/Ubuntu: sudo apt-get install -y $package)."
  fi
}

# JVM flags every java command of ours gets.
java_flags() {
  local major
  major=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
  # Netty's native transport loads JNI code; JDK 22+ warns unless native access is granted.
  if [ "${major%%.*}" -ge 22 ] 2>/dev/null; then
    echo "--enable-native-access=ALL-UNNAMED"
  fi
}

# Builds target/switchboard.jar unless it is newer than every source file.
build_jar_if_stale() {
  local jar=target/switchboard.jar
  if [ -f "$jar" ] && [ -z "$(find pom.xml src -newer "$jar" -type f -print -quit)" ]; then
    return
  fi
  echo "building $jar..." >&2
  mvn -q -B -DskipTests package >&2 || die "the build failed (see the Maven output above)."
}
