#!/usr/bin/env bash
# The system prerequisites of `npm start`, `npm test` and `.ci/run`, in one place so the three can never
# disagree about what a machine needs or how to get it.
#
#   bash scripts/prerequisites.sh [java] [browser] [-- command [args…]]
#
#   java     Java 17 or newer: DynamoDB Local is AWS's own Java program (npm start, integration, e2e).
#   browser  Chromium and the Noto CJK fonts: the browser tests render the Chinese pages (e2e).
#
# When everything is there it prints nothing and asks no package manager, so it costs `npm test` about
# one `java -version`. When something is missing and it may install (root, or passwordless sudo, on a
# system with apt-get) it installs the Debian packages, saying in one line what and why; otherwise it
# stops with exit status 1 and the exact command for this system in one line. Nothing is downloaded
# outside the package manager.
#
# JAVA_HOME and CHROMIUM_PATH override what PATH offers. After `--` the command runs with what passed the
# check: JAVA_HOME/bin first on PATH (DynamoDB Local runs plain `java`) and CHROMIUM_PATH set (the browser
# tests read it), so what runs is exactly what was checked.
#
# Plain bash (3.2 too, for macOS): `.ci/run` calls it before `npm ci`, when the project's Node 24 is not
# installed yet.

set -u

MIN_JAVA=17
need_java=0
need_browser=0
while [ $# -gt 0 ]; do
  case "$1" in
    java) need_java=1 ;;
    browser) need_browser=1 ;;
    --)
      shift
      break
      ;;
    *)
      echo "prerequisites.sh: unknown argument '$1' (expected java, browser, then -- and a command)" >&2
      exit 2
      ;;
  esac
  shift
done

os=$(uname -s 2>/dev/null || echo unknown)
uid=$(id -u 2>/dev/null || echo unknown)

# Misconfiguration that no package can fix: say what to change and stop, before any install.
stop() {
  echo "$1" >&2
  exit 1
}

# Prints the major version of the Java at $1, nothing if it does not run. `java -version` writes to
# stderr, maybe after "Picked up JAVA_TOOL_OPTIONS" lines, and quotes the version: "17.0.15", "21",
# "25-ea", and before Java 9 "1.8.0_392", which is Java 8.
java_major() {
  local out re='version "([0-9]+)(\.([0-9]+))?'
  out=$("$1" -version 2>&1) || return 0
  if [[ $out =~ $re ]]; then
    if [ "${BASH_REMATCH[1]}" = 1 ] && [ -n "${BASH_REMATCH[3]}" ]; then
      echo "${BASH_REMATCH[3]}"
    else
      echo "${BASH_REMATCH[1]}"
    fi
  fi
}

# Sets java_bin, chromium_bin, the missing_* flags and `needs`, the one-line list of what is missing
# and why.
check() {
  needs=''
  missing_java=0
  missing_chromium=0
  missing_fonts=0
  java_bin=''
  chromium_bin=''

  if [ "$need_java" = 1 ]; then
    local major=''
    if [ -n "${JAVA_HOME:-}" ]; then
      java_bin="$JAVA_HOME/bin/java"
      [ -x "$java_bin" ] || stop "JAVA_HOME=$JAVA_HOME has no bin/java: point it at Java $MIN_JAVA or newer, or unset it to use the java on PATH."
      major=$(java_major "$java_bin")
      [ -n "$major" ] && [ "$major" -ge "$MIN_JAVA" ] ||
        stop "JAVA_HOME=$JAVA_HOME is not Java $MIN_JAVA or newer (DynamoDB Local needs it): point it at one, or unset it to use the java on PATH."
    else
      java_bin=$(command -v java || true)
      [ -n "$java_bin" ] && major=$(java_major "$java_bin")
      if [ -z "$major" ]; then
        missing_java=1
        needs="Java $MIN_JAVA or newer for DynamoDB Local"
      elif [ "$major" -lt "$MIN_JAVA" ]; then
        missing_java=1
        needs="Java $MIN_JAVA or newer for DynamoDB Local (found Java $major)"
      fi
    fi
  fi

  if [ "$need_browser" = 1 ]; then
    if [ -n "${CHROMIUM_PATH:-}" ]; then
      [ -x "$CHROMIUM_PATH" ] || stop "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable: point it at Chromium, or unset it to use the chromium on PATH."
      chromium_bin=$CHROMIUM_PATH
    else
      chromium_bin=$(command -v chromium || command -v chromium-browser || true)
      # Homebrew's cask puts the app under /Applications and need not link it onto PATH.
      local app=/Applications/Chromium.app/Contents/MacOS/Chromium
      if [ -z "$chromium_bin" ] && [ "$os" = Darwin ] && [ -x "$app" ]; then chromium_bin=$app; fi
      if [ -z "$chromium_bin" ]; then
        missing_chromium=1
        needs="${needs:+$needs; }Chromium for the browser tests"
      fi
    fi
    # macOS ships CJK fonts (PingFang) that Chromium uses. Elsewhere ask fontconfig, which Chromium
    # finds its fonts through (Debian's chromium pulls it in, via libpango).
    if [ "$os" != Darwin ]; then
      case "$(fc-list ':lang=zh' family 2>/dev/null)" in
        *'Noto Sans CJK'*) ;;
        *)
          missing_fonts=1
          needs="${needs:+$needs; }Noto CJK fonts for the browser tests' Chinese pages"
          ;;
      esac
    fi
  fi
}

# Prints the first of the Debian packages $@ that apt knows a candidate of, else the first: openjdk-17
# is gone from Debian 13 and Ubuntu names its Chromium chromium-browser. Without package lists (a
# fresh machine before `apt-get update`) it falls back to the names Debian 12 uses.
apt_pick() {
  local pkg out
  for pkg in "$@"; do
    out=$(apt-cache policy "$pkg" 2>/dev/null) || continue
    case "$out" in
      *'Candidate: (none)'*) ;;
      *Candidate:*)
        echo "$pkg"
        return
        ;;
    esac
  done
  echo "$1"
}

# Sets `system` (apt, dnf, brew or other) and `packages`, what provides the missing things there.
plan() {
  packages=''
  if [ "$os" = Darwin ]; then
    system=brew
    [ "$missing_java" = 1 ] && packages='temurin'
    [ "$missing_chromium" = 1 ] && packages="${packages:+$packages }chromium"
  elif command -v apt-get >/dev/null 2>&1; then
    system=apt
    [ "$missing_java" = 1 ] &&
      packages=$(apt_pick openjdk-17-jre-headless openjdk-21-jre-headless openjdk-25-jre-headless)
    [ "$missing_chromium" = 1 ] && packages="${packages:+$packages }$(apt_pick chromium chromium-browser)"
    [ "$missing_fonts" = 1 ] && packages="${packages:+$packages }fonts-noto-cjk"
  elif command -v dnf >/dev/null 2>&1; then
    system=dnf
    [ "$missing_java" = 1 ] && packages='java-21-openjdk-headless'
    [ "$missing_chromium" = 1 ] && packages="${packages:+$packages }chromium"
    [ "$missing_fonts" = 1 ] && packages="${packages:+$packages }google-noto-sans-cjk-fonts"
  else
    system=other
  fi
}

# Runs "$@" as root: itself when root, else through sudo, which resets the environment.
as_root() {
  if [ "$uid" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive "$@"
  else
    sudo -n env DEBIAN_FRONTEND=noninteractive "$@"
  fi
}

check
if [ -n "$needs" ]; then
  plan
  sudo_=''
  [ "$uid" = 0 ] || sudo_='sudo '
  if [ "$system" = apt ] && { [ "$uid" = 0 ] || sudo -n true >/dev/null 2>&1; }; then
    # A fresh machine has no package lists, and old ones point at files the mirror no longer has.
    as_root apt-get update -qq >/dev/null || stop "apt-get update failed (see above); edu-subsidy needs $needs."
    plan
    echo "edu-subsidy needs $needs. Installing: ${sudo_}apt-get install -y $packages" >&2
    # shellcheck disable=SC2086 # one word a package
    as_root apt-get install -y -qq $packages >/dev/null ||
      stop "apt-get could not install $packages (see above); edu-subsidy needs $needs."
    check
    # Installed, yet still not usable: e.g. update-alternatives pinned to an older Java by hand.
    [ -z "$needs" ] || stop "Installed $packages, but edu-subsidy still needs $needs."
  else
    case "$system" in
      apt) how="Install with: ${sudo_}apt-get update && ${sudo_}apt-get install -y $packages" ;;
      dnf) how="Install with: ${sudo_}dnf install -y $packages" ;;
      brew) how="Install with: brew install --cask $packages" ;;
      *) how="Install with this system's package manager." ;;
    esac
    stop "edu-subsidy needs $needs. $how"
  fi
fi

[ $# -gt 0 ] || exit 0
if [ -n "${JAVA_HOME:-}" ] && [ "$need_java" = 1 ]; then export PATH="$JAVA_HOME/bin:$PATH"; fi
if [ -n "$chromium_bin" ]; then export CHROMIUM_PATH="$chromium_bin"; fi
exec "$@"
