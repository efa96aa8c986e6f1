// The layer rules from the README, in one place so a test can prove they fire. Top to bottom:
// shared/* (libraries) → apps (auth, sync, web, bots) → homeserver-config → tests/* → bench/.
// A layer imports only from the layers above it, by package name and through export maps: never an
// app from another app, never a path into another package's folder or its src/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const root = new URL('./', import.meta.url);

/** Names of the shared libraries, read from shared/*\/package.json, so a new one needs no edit here. */
const SHARED = readdirSync(new URL('shared/', root))
  .map((dir) => new URL(`shared/${dir}/package.json`, root))
  .filter((file) => existsSync(file))
  .map((file) => String(JSON.parse(readFileSync(file, 'utf8')).name).replace(/^@mana\//, ''));

const APP_PACKAGES = { auth: '@mana/auth', sync: '@mana/sync', web: '@mana/web', bots: '@mana/bot-*' };
const ALL_APPS = [...Object.values(APP_PACKAGES), '@mana/bots-*'];
const CONFIG = '@mana/homeserver-config';
const TESTS = ['@mana/e2e', '@mana/e2e/*', '@mana/stack', '@mana/lint'];
const BENCH = '@mana/bench';

const FOLDERS = ['auth', 'sync', 'web', 'bots', 'shared', 'homeserver-config', 'tests', 'bench', 'deploy'];

/** A relative import that climbs into one of `folders` (another package's files). */
function noPathInto(folders, message) {
  return { regex: String.raw`^(\.\./)+(${folders.join('|')})/`, message };
}

const NO_SRC = {
  group: ['@mana/*/src', '@mana/*/src/*'],
  message: "Import a package's entry or one of its export maps (`@mana/auth/testing`), never its src/.",
};

const APP_MESSAGE =
  'Apps talk over HTTP, WebSocket or Matrix, never by importing each other: move shared code into a shared/* package.';

function restrict(...patterns) {
  return { 'no-restricted-imports': ['error', { patterns: [NO_SRC, ...patterns] }] };
}

function banAppsExcept(own) {
  return restrict(
    { group: ALL_APPS.filter((a) => a !== own), message: APP_MESSAGE },
    {
      group: [CONFIG, ...TESTS, BENCH],
      message: 'Apps import only shared/* packages: homeserver-config, tests and bench sit below them.',
    },
    noPathInto(
      FOLDERS,
      'A relative import into another app folder breaks the layers: depend on a shared/* package.',
    ),
  );
}

/** Flat-config entries, one per layer. */
export const layerConfigs = [
  {
    files: ['shared/**/*.ts'],
    rules: restrict(
      {
        // Anything of ours that is not a shared library: apps, homeserver-config, tests, bench.
        regex: String.raw`^@mana/(?!(${SHARED.join('|')})(/|$))`,
        message:
          'shared/* imports only shared/* packages (apps, homeserver-config, tests and bench sit below it).',
      },
      noPathInto(
        FOLDERS.filter((f) => f !== 'shared'),
        'shared/* imports only shared/* packages: a relative import out of shared/ breaks the layers.',
      ),
    ),
  },
  ...Object.entries(APP_PACKAGES).map(([dir, pkg]) => ({
    files: [`${dir}/**/*.ts`],
    rules: banAppsExcept(pkg),
  })),
  {
    files: ['homeserver-config/**/*.ts'],
    rules: restrict(
      {
        group: [...ALL_APPS, ...TESTS, BENCH],
        message: 'homeserver-config renders Synapse config from shared/* only: no apps, tests or bench.',
      },
      noPathInto(
        FOLDERS.filter((f) => f !== 'homeserver-config'),
        'homeserver-config imports packages by name, never by a path into their folders.',
      ),
    ),
  },
  {
    files: ['tests/**/*.ts'],
    rules: restrict(
      { group: [BENCH], message: 'Tests never import the benchmarks (bench/ sits below tests/).' },
      noPathInto(
        FOLDERS.filter((f) => f !== 'tests'),
        "Tests import packages by name and their export maps (`@mana/auth/testing`), never a path into another package's folder.",
      ),
    ),
  },
  {
    files: ['bench/**/*.ts'],
    rules: restrict(
      noPathInto(
        FOLDERS.filter((f) => f !== 'bench'),
        "bench/ imports packages by name and their export maps (`@mana/e2e/support`), never a path into another package's folder.",
      ),
    ),
  },
];
