import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * scripts/prerequisites.sh, the one check behind `npm start`, `npm test` and `.ci/run`, run with a PATH
 * that holds only the fake tools each case allows: the machine's own Java and Chromium are hidden, and
 * nothing is ever installed for real.
 */
const script = resolve('scripts/prerequisites.sh');

let dir: string;
let bin: string;
let aptLog: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prerequisites-'));
  bin = join(dir, 'bin');
  mkdirSync(bin);
  aptLog = join(dir, 'apt.log');
  tool('uname', 'echo Linux');
  tool('id', 'echo 1000');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function tool(name: string, body: string, where = bin) {
  writeFileSync(join(where, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

/** A `java` whose `-version` prints these lines to stderr, as the real one does. */
function java(lines: string, where = bin) {
  const quoted = lines.split('\n').map((l) => `'${l}'`);
  tool('java', `printf '%s\\n' ${quoted.join(' ')} >&2`, where);
}

function chromiumAndFonts() {
  tool('chromium', 'exit 0');
  tool('fc-list', "echo 'Noto Sans CJK SC,Noto Sans CJK SC Regular'");
}

/**
 * An apt-get that logs each call and, on `install`, puts fakes of what it installed on PATH: run by this
 * Node, since a /bin/sh script finds no chmod on the crafted PATH.
 */
function aptGet() {
  writeFileSync(
    join(bin, 'apt-get'),
    `#!${process.execPath}
const fs = require('node:fs');
fs.appendFileSync(${JSON.stringify(aptLog)}, process.env.DEBIAN_FRONTEND + ' ' + process.argv.slice(2).join(' ') + '\\n');
if (process.argv[2] === 'install') {
  const fake = (name, body) => fs.writeFileSync(${JSON.stringify(bin)} + '/' + name, '#!/bin/sh\\n' + body + '\\n', { mode: 0o755 });
  fake('java', "printf '%s\\\\n' 'openjdk version \\"17.0.19\\" 2026-01-20' >&2");
  fake('chromium', 'exit 0');
  fake('fc-list', "echo 'Noto Sans CJK SC'");
}
`,
    { mode: 0o755 },
  );
}

function aptCalls(): string[] {
  return existsSync(aptLog) ? readFileSync(aptLog, 'utf8').trim().split('\n') : [];
}

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync('/bin/bash', [script, ...args], {
    env: { PATH: bin, HOME: dir, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const everything =
  "edu-subsidy needs Java 17 or newer for DynamoDB Local; Chromium for the browser tests; Noto CJK fonts for the browser tests' Chinese pages.";

describe('where it may not install', () => {
  it('stops before anything starts with the exact Debian command, and never calls apt-get', () => {
    aptGet();
    tool('sudo', "echo 'sudo: a password is required' >&2; exit 1");

    expect(run(['java', 'browser'])).toEqual({
      status: 1,
      stdout: '',
      stderr: `${everything} Install with: sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless chromium fonts-noto-cjk\n`,
    });
    expect(aptCalls()).toEqual([]);
  });

  it('asks npm start only for Java', () => {
    aptGet();
    expect(run(['java'])).toEqual({
      status: 1,
      stdout: '',
      stderr:
        'edu-subsidy needs Java 17 or newer for DynamoDB Local. Install with: sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless\n',
    });
  });

  it('names the Java that Debian 13 has, once apt knows no openjdk-17', () => {
    aptGet();
    tool(
      'apt-cache',
      'case "$2" in openjdk-21-jre-headless|chromium) echo "  Candidate: 21.0.8";; *) echo "  Candidate: (none)";; esac',
    );
    expect(run(['java']).stderr).toBe(
      'edu-subsidy needs Java 17 or newer for DynamoDB Local. Install with: sudo apt-get update && sudo apt-get install -y openjdk-21-jre-headless\n',
    );
  });

  it('gives Fedora its dnf command', () => {
    tool('dnf', 'exit 1');
    expect(run(['java', 'browser'])).toEqual({
      status: 1,
      stdout: '',
      stderr: `${everything} Install with: sudo dnf install -y java-21-openjdk-headless chromium google-noto-sans-cjk-fonts\n`,
    });
  });

  it('names what is missing where it knows no package manager', () => {
    expect(run(['java'])).toEqual({
      status: 1,
      stdout: '',
      stderr:
        "edu-subsidy needs Java 17 or newer for DynamoDB Local. Install with this system's package manager.\n",
    });
  });

  it('gives macOS its Homebrew command, and asks for no fonts there', () => {
    tool('uname', 'echo Darwin');
    expect(run(['java', 'browser'])).toEqual({
      status: 1,
      stdout: '',
      stderr:
        'edu-subsidy needs Java 17 or newer for DynamoDB Local; Chromium for the browser tests. Install with: brew install --cask temurin chromium\n',
    });
  });
});

describe('the Java version', () => {
  it.each([
    ['openjdk version "11.0.21" 2023-10-17', 11],
    ['java version "1.8.0_392"', 8],
  ])('refuses %s as too old', (version, major) => {
    aptGet();
    java(version);
    expect(run(['java'])).toEqual({
      status: 1,
      stdout: '',
      stderr: `edu-subsidy needs Java 17 or newer for DynamoDB Local (found Java ${major}). Install with: sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless\n`,
    });
  });

  it.each([
    'openjdk version "17.0.15" 2025-04-15',
    'openjdk version "21" 2023-09-19',
    'openjdk version "25-ea" 2025-09-16',
    'Picked up JAVA_TOOL_OPTIONS: -Xmx1g\nopenjdk version "17.0.15" 2025-04-15',
  ])('accepts %s silently', (version) => {
    java(version);
    expect(run(['java'])).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});

describe('when everything is there', () => {
  it('exits 0 and says nothing', () => {
    java('openjdk version "17.0.15" 2025-04-15');
    chromiumAndFonts();
    expect(run(['java', 'browser'])).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('runs the command after -- with the Java and Chromium it checked', () => {
    const jdk = join(dir, 'jdk');
    mkdirSync(join(jdk, 'bin'), { recursive: true });
    java('openjdk version "21.0.8" 2025-07-15', join(jdk, 'bin'));
    const chrome = join(dir, 'chrome');
    tool('chrome', 'exit 0', dir);
    tool('fc-list', "echo 'Noto Sans CJK SC'");
    tool('show', 'echo "$CHROMIUM_PATH"; command -v java');

    expect(run(['java', 'browser', '--', 'show'], { JAVA_HOME: jdk, CHROMIUM_PATH: chrome })).toEqual({
      status: 0,
      stdout: `${chrome}\n${join(jdk, 'bin', 'java')}\n`,
      stderr: '',
    });
  });

  it('hands the chromium it found on PATH to the command', () => {
    java('openjdk version "17.0.15" 2025-04-15');
    chromiumAndFonts();
    tool('show', 'echo "$CHROMIUM_PATH"');
    expect(run(['java', 'browser', '--', 'show']).stdout).toBe(`${join(bin, 'chromium')}\n`);
  });
});

describe('JAVA_HOME and CHROMIUM_PATH override PATH', () => {
  it('stops on a JAVA_HOME without Java rather than install one it would not use, even as root', () => {
    tool('id', 'echo 0');
    aptGet();
    java('openjdk version "17.0.15" 2025-04-15');
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect(run(['java'], { JAVA_HOME: empty })).toEqual({
      status: 1,
      stdout: '',
      stderr: `JAVA_HOME=${empty} has no bin/java: point it at Java 17 or newer, or unset it to use the java on PATH.\n`,
    });
    expect(aptCalls()).toEqual([]);
  });

  it('stops on a JAVA_HOME that holds Java 11', () => {
    const jdk = join(dir, 'jdk11');
    mkdirSync(join(jdk, 'bin'), { recursive: true });
    java('openjdk version "11.0.21" 2023-10-17', join(jdk, 'bin'));
    expect(run(['java'], { JAVA_HOME: jdk })).toEqual({
      status: 1,
      stdout: '',
      stderr: `JAVA_HOME=${jdk} is not Java 17 or newer (DynamoDB Local needs it): point it at one, or unset it to use the java on PATH.\n`,
    });
  });

  it('stops on a CHROMIUM_PATH that is no executable', () => {
    tool('fc-list', "echo 'Noto Sans CJK SC'");
    const nowhere = join(dir, 'no-chromium');
    expect(run(['browser'], { CHROMIUM_PATH: nowhere })).toEqual({
      status: 1,
      stdout: '',
      stderr: `CHROMIUM_PATH=${nowhere} is not an executable: point it at Chromium, or unset it to use the chromium on PATH.\n`,
    });
  });
});

describe('where it may install', () => {
  it('installs as root with apt-get, saying in one line what and why', () => {
    tool('id', 'echo 0');
    aptGet();
    expect(run(['java', 'browser'])).toEqual({
      status: 0,
      stdout: '',
      stderr: `${everything} Installing: apt-get install -y openjdk-17-jre-headless chromium fonts-noto-cjk\n`,
    });
    expect(aptCalls()).toEqual([
      'noninteractive update -qq',
      'noninteractive install -y -qq openjdk-17-jre-headless chromium fonts-noto-cjk',
    ]);
  });

  it('installs through passwordless sudo', () => {
    aptGet();
    // sudo -n runs the command as given: `true` to probe, then `env DEBIAN_FRONTEND=… apt-get …`.
    tool('sudo', '[ "$1" = -n ] || exit 1\nshift\nexec "$@"');
    symlinkSync('/usr/bin/env', join(bin, 'env'));
    tool('true', 'exit 0');
    expect(run(['java'])).toEqual({
      status: 0,
      stdout: '',
      stderr:
        'edu-subsidy needs Java 17 or newer for DynamoDB Local. Installing: sudo apt-get install -y openjdk-17-jre-headless\n',
    });
    expect(aptCalls()).toEqual([
      'noninteractive update -qq',
      'noninteractive install -y -qq openjdk-17-jre-headless',
    ]);
  });
});
