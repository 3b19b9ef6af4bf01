// The Dockerfile and compose.yaml: always checked against the code (every FEDKIT_* variable the
// compose file sets is one the servers read, the entrypoint is what the build makes); built and
// validated with Docker only where `docker` is on PATH.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { IDP_SETTINGS } from '../../src/cli/idp-serve.js';
import { RP_SETTINGS } from '../../src/cli/rp.js';

const ROOT = process.cwd();
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const compose = readFileSync(join(ROOT, 'compose.yaml'), 'utf8');

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, command)));
}

describe('Docker files', () => {
  it('sets only FEDKIT_* variables the servers read, each in the service that reads it', () => {
    const known = { idp: new Set(['FEDKIT_CONFIG', ...IDP_SETTINGS.map((s) => s.env)]), rp: new Set(['FEDKIT_CONFIG', ...RP_SETTINGS.map((s) => s.env)]) };
    const sections = compose.split(/^ {2}(?=\w+:\s*$)/m);
    let checked = 0;
    for (const section of sections) {
      const service = /^(\w+):/.exec(section)?.[1];
      if (service !== 'idp' && service !== 'rp') continue;
      for (const [, name] of section.matchAll(/^ {6}(FEDKIT_[A-Z_]+):/gm)) {
        assert.ok(known[service].has(name!), `${service} sets ${name}, which fedkit ${service} serve does not read`);
        checked++;
      }
    }
    assert.ok(checked >= 10, `only ${checked} variables found: is compose.yaml still laid out as this test reads it?`);
  });

  it('starts the CLI the build makes, and copies what the build compiles', () => {
    assert.match(dockerfile, /^ENTRYPOINT \["node", "\/app\/dist\/src\/cli\/main\.js"\]$/m);
    assert.ok(existsSync(join(ROOT, 'dist/src/cli/main.js')), 'tsc puts the CLI at dist/src/cli/main.js');
    const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { include: string[] };
    for (const pattern of tsconfig.include) {
      const folder = pattern.split('/')[0]!;
      assert.match(dockerfile, new RegExp(`^COPY ${folder} \\./${folder}$`, 'm'), `tsconfig compiles ${folder}/, which the build stage must copy`);
    }
  });

  // A docker client without a daemon (as in some sandboxes) cannot build either.
  const docker = !onPath('docker') ? 'docker is not on PATH' : spawnSync('docker', ['info'], { timeout: 20_000 }).status !== 0 ? 'docker is on PATH, but its daemon does not answer (docker info fails)' : false;
  it('builds the image and validates compose.yaml', { skip: docker, timeout: 900_000 }, (t) => {
    const build = spawnSync('docker', ['build', '-t', 'fedkit-test', ROOT], { encoding: 'utf8', timeout: 850_000 });
    assert.equal(build.status, 0, build.stderr);
    if (spawnSync('docker', ['compose', 'version'], { timeout: 20_000 }).status === 0) {
      const config = spawnSync('docker', ['compose', '-f', join(ROOT, 'compose.yaml'), 'config', '--quiet'], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(config.status, 0, config.stderr);
    } else {
      t.diagnostic('docker compose is not installed: compose.yaml was not validated');
    }
    const help = spawnSync('docker', ['run', '--rm', 'fedkit-test', 'idp', 'serve', '--help'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /FEDKIT_DATABASE_URL/);
  });
});
