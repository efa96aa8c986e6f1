import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
// The same entries eslint.config.js spreads into the real configuration.
import { layerConfigs } from '../../../eslint.layers.js';

const eslint = new ESLint({
  cwd: new URL('../../../', import.meta.url).pathname,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...layerConfigs],
});

async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer lint rules', () => {
  it('rejects an import from one app into another', async () => {
    const errors = await importErrors(
      'sync/src/leak.ts',
      "import { app } from '@mana/auth';\nexport { app };\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('never by importing each other');
    expect(await importErrors('bots/todo/src/leak.ts', "import '@mana/sync';\n")).toHaveLength(1);
    expect(
      await importErrors('web/src/leak.ts', "import { x } from '../../auth/src/app.ts';\nexport { x };\n"),
    ).toHaveLength(1);
  });

  it('rejects an import of an app from shared/*', async () => {
    expect(await importErrors('shared/db/src/leak.ts', "import '@mana/auth';\n")).toHaveLength(1);
    expect(await importErrors('shared/db/src/leak.ts', "import '@mana/bot-todo';\n")).toHaveLength(1);
  });

  it('rejects an import of homeserver-config, tests or bench from shared/*, by name or by path', async () => {
    const shared = 'shared/testing/src/leak.ts';
    for (const pkg of ['@mana/homeserver-config', '@mana/e2e/support', '@mana/bench', '@mana/sync']) {
      const errors = await importErrors(shared, `import '${pkg}';\n`);
      expect(errors, pkg).toHaveLength(1);
      expect(errors[0]).toContain('shared/* imports only shared/* packages');
    }
    expect(await importErrors(shared, "import '../../../homeserver-config/src/index.ts';\n")).toHaveLength(1);
    expect(
      await importErrors(shared, "import '../../../tests/e2e/src/support/bots-stack.ts';\n"),
    ).toHaveLength(1);
  });

  it('allows shared/* to import the other shared libraries, the Synapse templates included', async () => {
    const shared = 'shared/testing/src/ok.ts';
    for (const pkg of [
      '@mana/synapse-config',
      '@mana/sync-protocol',
      '@mana/auth-client/urns',
      './ports.ts',
    ]) {
      expect(await importErrors(shared, `import '${pkg}';\n`), pkg).toEqual([]);
    }
  });

  it("rejects an import of another package's src/ by name, everywhere", async () => {
    for (const file of [
      'bots/todo/src/leak.ts',
      'auth/src/leak.ts',
      'tests/e2e/src/leak.ts',
      'bench/src/leak.ts',
    ]) {
      const errors = await importErrors(file, "import '@mana/sync-protocol/src/collections.ts';\n");
      expect(errors, file).toHaveLength(1);
      expect(errors[0]).toContain('export maps');
    }
  });

  it('keeps homeserver-config below the apps: no app, test or bench import, no path out of its folder', async () => {
    const file = 'homeserver-config/src/leak.ts';
    for (const pkg of ['@mana/auth', '@mana/bot-runtime', '@mana/e2e/support', '@mana/bench']) {
      expect(await importErrors(file, `import '${pkg}';\n`), pkg).toHaveLength(1);
    }
    expect(await importErrors(file, "import '../../shared/config/src/index.ts';\n")).toHaveLength(1);
    expect(await importErrors(file, "import '@mana/synapse-config';\nimport './files.ts';\n")).toEqual([]);
  });

  it('keeps apps off homeserver-config, tests and bench', async () => {
    for (const pkg of ['@mana/homeserver-config', '@mana/e2e/support', '@mana/bench']) {
      expect(await importErrors('auth/src/leak.ts', `import '${pkg}';\n`), pkg).toHaveLength(1);
    }
  });

  it("rejects a path from tests/ into another package's folder; tests import export maps", async () => {
    const file = 'tests/e2e/src/support/leak.ts';
    const errors = await importErrors(file, "import '../../../../auth/src/testing/cookie-client.ts';\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('export maps');
    expect(await importErrors('tests/e2e/src/leak.ts', "import '@mana/bench';\n")).toHaveLength(1);
    expect(
      await importErrors(
        file,
        "import '@mana/auth/testing';\nimport '@mana/sync';\nimport './bots-stack.ts';\n",
      ),
    ).toEqual([]);
    // The supervisor test drives the root scripts, which are no package.
    expect(await importErrors('tests/stack/src/ok.ts', "import '../../../scripts/supervisor.ts';\n")).toEqual(
      [],
    );
  });

  it('rejects a path from bench/ into the e2e harness or an app; bench imports export maps', async () => {
    const errors = await importErrors(
      'bench/src/leak.ts',
      "import '../../tests/e2e/src/support/bots-stack.ts';\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('@mana/e2e/support');
    expect(
      await importErrors('bench/src/leak.ts', "import '../../auth/src/credits/ledger.ts';\n"),
    ).toHaveLength(1);
    expect(
      await importErrors(
        'bench/src/ok.ts',
        "import '@mana/e2e/support';\nimport '@mana/auth/testing';\nimport './stats.ts';\n",
      ),
    ).toEqual([]);
  });

  it('allows apps to import shared packages and their own modules', async () => {
    expect(
      await importErrors(
        'sync/src/ok.ts',
        "import { loadConfig } from '@mana/config';\nexport { loadConfig };\n",
      ),
    ).toEqual([]);
    expect(await importErrors('auth/src/ok.ts', "import { x } from './app.ts';\nexport { x };\n")).toEqual(
      [],
    );
  });
});
