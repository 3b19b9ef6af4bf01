// The layer rules hold (docs/architecture.md) and fail when broken: a deliberately wrong import
// must be reported by `npm run lint`, with a message that names both layers.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** Lints `code` as if it were the file at `path`, and returns the fedkit rules' messages. */
async function lintAs(path: string, code: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  assert.ok(result, 'ESLint returned no result');
  return result.messages.filter((m) => m.ruleId?.startsWith('fedkit/') || m.fatal).map((m) => ({ ruleId: m.ruleId, message: m.message }));
}

/** The file's own source with one more line at the top. */
function withImport(path: string, line: string): string {
  return `${line}\n${readFileSync(join(root, path), 'utf8')}`;
}

describe('layers lint rule', () => {
  it('passes on the source tree as it is', async () => {
    const results = await eslint.lintFiles(['src/**/*.ts']);
    const problems = results.flatMap((r) => r.messages.filter((m) => m.ruleId?.startsWith('fedkit/')).map((m) => `${r.filePath}:${m.line} ${m.message}`));
    assert.deepEqual(problems, []);
  });

  it('reports a type import from a lower layer to a higher one', async () => {
    const path = 'src/agent/base/clock.ts';
    const messages = await lintAs(path, withImport(path, "import type { Agent } from '../agent.js';\nexport type _A = Agent;"));
    const layer = messages.find((m) => m.ruleId === 'fedkit/layers');
    assert.ok(layer, `no fedkit/layers report: ${JSON.stringify(messages)}`);
    assert.match(layer.message, /src\/agent\/base\/clock\.ts \(layer agent\/base\) may not import src\/agent\/agent\.ts \(layer agent\/agent\)/);
  });

  it('reports an import between sibling layers of one rank', async () => {
    const path = 'src/agent/otp/otp-credential.ts';
    const messages = await lintAs(path, withImport(path, "import type { IdpConfig } from '../fedcm/types.js';\nexport type _C = IdpConfig;"));
    assert.ok(
      messages.some((m) => m.ruleId === 'fedkit/layers' && /layer agent\/otp\) may not import src\/agent\/fedcm\/types\.ts \(layer agent\/fedcm\)/.test(m.message)),
      JSON.stringify(messages),
    );
  });

  it('keeps the parties apart and the CLI on the agent\'s public index', async () => {
    const idp = await lintAs('src/idp/http.ts', withImport('src/idp/http.ts', "import type { Agent } from '../agent/index.js';\nexport type _A = Agent;"));
    assert.ok(idp.some((m) => m.ruleId === 'fedkit/layers' && /layer idp\) may not import/.test(m.message)), JSON.stringify(idp));
    const rp = await lintAs('src/rp/verify.ts', withImport('src/rp/verify.ts', "import type { Idp } from '../idp/index.js';\nexport type _I = Idp;"));
    assert.ok(rp.some((m) => m.ruleId === 'fedkit/layers' && /layer rp\) may not import/.test(m.message)), JSON.stringify(rp));
    const cli = await lintAs('src/cli/run.ts', withImport('src/cli/run.ts', "import type { AgentCore } from '../agent/core.js';\nexport type _C = AgentCore;"));
    assert.ok(cli.some((m) => m.ruleId === 'fedkit/layers' && /layer cli\) may not import src\/agent\/core\.ts/.test(m.message)), JSON.stringify(cli));
  });

  it('orders the files inside fedcm/: a step may not import the orchestrator', async () => {
    const path = 'src/agent/fedcm/config.ts';
    const messages = await lintAs(path, withImport(path, "import type { RequestParams } from './request.js';\nexport type _R = RequestParams;"));
    assert.ok(messages.some((m) => m.ruleId === 'fedkit/layers' && /inside src\/agent\/fedcm\//.test(m.message)), JSON.stringify(messages));
  });

  it('asks for a new fedcm/ file to be placed in the inner ranks', async () => {
    const messages = await lintAs('src/agent/fedcm/new-step.ts', 'export const x = 1;\n');
    assert.ok(messages.some((m) => m.ruleId === 'fedkit/layers' && /is not placed in the inner ranks/.test(m.message)), JSON.stringify(messages));
  });

  it('reports an import cycle made only of type imports', async () => {
    // events.ts imports diagnostics.ts; diagnostics.ts importing events.ts back closes a cycle
    // inside one layer, which only the cycle rule sees.
    const path = 'src/agent/base/diagnostics.ts';
    const messages = await lintAs(path, withImport(path, "import type { FetchRecord } from './events.js';\nexport type _F = FetchRecord;"));
    const cycle = messages.find((m) => m.ruleId === 'fedkit/no-cycle');
    assert.ok(cycle, `no fedkit/no-cycle report: ${JSON.stringify(messages)}`);
    assert.match(cycle.message, /src\/agent\/base\/diagnostics\.ts → src\/agent\/base\/events\.ts → src\/agent\/base\/diagnostics\.ts/);
    assert.ok(!messages.some((m) => m.ruleId === 'fedkit/layers'), 'the layers rule should not fire inside one layer');
  });
});
