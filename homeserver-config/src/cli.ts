#!/usr/bin/env node
/**
 * Renders Synapse's config files from `HS_*` variables into a directory:
 *
 *   HS_SERVER_NAME=example.org HS_PUBLIC_BASEURL=https://matrix.example.org/ … \
 *     node homeserver-config/src/cli.ts [outDir]
 *
 * `outDir` overrides `HS_OUT_DIR`. See README.md for every variable.
 */
import { mkdir, writeFile, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError, loadConfig } from '@mana/config';
import { homeserverEnv, renderHomeserverFiles } from './files.ts';

async function main(): Promise<void> {
  const env = loadConfig(homeserverEnv);
  const outDir = process.argv[2] ?? env.outDir;
  for (const file of renderHomeserverFiles({ ...env, outDir })) {
    const target = join(outDir, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.contents, { mode: file.mode });
    // writeFile's mode only applies to new files; re-rendering must not leave a looser mode behind.
    await chmod(target, file.mode);
    process.stdout.write(`wrote ${target}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
