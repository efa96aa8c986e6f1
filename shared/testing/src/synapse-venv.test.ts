import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureSynapseVenv, SynapseVenvError } from './synapse-venv.ts';

describe('ensureSynapseVenv', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says what to install when python is missing, and creates nothing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'venv-test-'));
    const venvDir = join(dir, 'venv');
    const attempt = ensureSynapseVenv({ venvDir, python: join(dir, 'no-such-python3') });
    await expect(attempt).rejects.toBeInstanceOf(SynapseVenvError);
    await expect(attempt).rejects.toThrow(/Python >= 3\.10 with the venv module/);
  });
});
