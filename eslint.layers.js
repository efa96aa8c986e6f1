// The layer rules from the README, in one place so a test can prove they fire:
// apps import shared/*, never each other; shared/* never imports an app.
const APP_PACKAGES = { auth: '@mana/auth', sync: '@mana/sync', web: '@mana/web', bots: '@mana/bot-*' };
const ALL_APPS = [...Object.values(APP_PACKAGES), '@mana/bots-*'];

function banAppsExcept(own) {
  return {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: ALL_APPS.filter((a) => a !== own),
            message:
              'Apps talk over HTTP, WebSocket or Matrix, never by importing each other: move shared code into a shared/* package.',
          },
          {
            regex: String.raw`^(\.\./)+(auth|sync|web|bots)/`,
            message:
              'A relative import into another app folder breaks the layers: depend on a shared/* package.',
          },
        ],
      },
    ],
  };
}

/** Flat-config entries, one per layer. */
export const layerConfigs = [
  { files: ['shared/**/*.ts'], rules: banAppsExcept(null) },
  ...Object.entries(APP_PACKAGES).map(([dir, pkg]) => ({
    files: [`${dir}/**/*.ts`],
    rules: banAppsExcept(pkg),
  })),
];
