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

# True when we may install Debian packages: root with apt-get.
can_apt_install() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1
}

# apt-get install PACKAGE..., after one apt-get update per script run; output goes to stderr.
apt_get_install() {
  if [ -z "${APT_UPDATED:-}" ]; then
    apt-get update -qq >&2 || return 1
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# Installs a Debian package when we may (root with apt-get), else says what to run.
apt_install() {
  local package=$1
  if can_apt_install; then
    echo "installing $package (apt-get)..." >&2
    apt_get_install "$package" || die "could not install $package; run: apt-get install -y $package"
  else
    die "$package is missing; install it (Debian/Ubuntu: sudo apt-get install -y $package)."
  fi
}

# What the browser test (DemoPageBrowserTest) drives: Debian's chromium through its chromedriver.
have_browser() {
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]
}

# Installs chromium and chromium-driver when missing and we may. Never fails: without them the
# browser test is skipped, and this says so.
ensure_browser() {
  have_browser && return 0
  if can_apt_install; then
    echo "installing chromium chromium-driver (apt-get), for the browser test..." >&2
    apt_get_install chromium chromium-driver && have_browser && return 0
  fi
  echo "warning: chromium or chromium-driver is missing and could not be installed" \
    "(Debian/Ubuntu: sudo apt-get install -y chromium chromium-driver); the browser test" \
    "DemoPageBrowserTest will be skipped, the rest of the suite runs." >&2
}

# Node.js and npm, for the tests that run JavaScript (ApiDocsParsersTest runs the AsyncAPI
# project's parser, NodeClientTest the JavaScript client's tests, with the ws package): Debian's
# nodejs and npm (18.20 in Debian 12; 18.15 or later will do), installed when missing and we may,
# else says how.
ensure_node() {
  command -v node >/dev/null 2>&1 || apt_install nodejs
  command -v npm >/dev/null 2>&1 || apt_install npm
}

# Installs the npm packages a folder's package-lock.json pins (npm ci: exactly the locked versions,
# no install scripts), unless node_modules already matches the lock file. Quiet unless it fails.
npm_ci() {
  local dir=$1 log
  [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ] && return 0
  echo "installing the npm packages of $dir (npm ci)..." >&2
  log=$(mktemp)
  if ! (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    die "npm ci failed in $dir (output above); run it there by hand to retry."
  fi
  rm -f "$log"
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

# The formatter check (Spotless with palantir-java-format, configured in pom.xml); fails with what
# to run when a Java file is not formatted.
check_formatting() {
  local log
  log=$(mktemp)
  if ! mvn -B -ntp -q spotless:check >"$log" 2>&1; then
    grep -E '^\[ERROR\] +(src|examples)/' "$log" >&2 || cat "$log" >&2
    rm -f "$log"
    die "these Java files are not formatted; run: mvn spotless:apply (then commit the result)"
  fi
  rm -f "$log"
}

# Builds target/switchboard.jar unless it is newer than every source file.
build_jar_if_stale() {
  local jar=target/switchboard.jar
  if [ -f "$jar" ] && [ -z "$(find pom.xml src clients/js/switchboard.js -newer "$jar" -type f -print -quit)" ]; then
    return
  fi
  echo "building $jar..." >&2
  mvn -q -B -DskipTests package >&2 || die "the build failed (see the Maven output above)."
}
