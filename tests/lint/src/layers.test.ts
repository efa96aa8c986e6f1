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
