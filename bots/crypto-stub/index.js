'use strict';
/**
 * Stand-in for `@matrix-org/matrix-sdk-crypto-nodejs`, wired through the root package.json
 * `overrides`. matrix-bot-sdk `require`s the real package at import time only to keep a reference;
 * it touches its exports when end-to-end encryption is turned on, which Mana's bots never do.
 * The real package downloads a native binary in a postinstall script, which cannot run here.
 *
 * Every export exists (so the import succeeds and `instanceof`-style checks do not crash), and any
 * use — construction or a static call — throws `E2eeUnsupportedError` with code `ERR_E2EE_UNSUPPORTED`.
 */

class E2eeUnsupportedError extends Error {
  constructor(what) {
    super(
      `End-to-end encryption is not available in Mana's bot runner (tried to use ${what} from ` +
        '@matrix-org/matrix-sdk-crypto-nodejs, which is stubbed by bots/crypto-stub). ' +
        'Talk to bots in unencrypted rooms.',
    );
    this.name = 'E2eeUnsupportedError';
    this.code = 'ERR_E2EE_UNSUPPORTED';
  }
}

function unsupportedClass(name) {
  const cls = class {
    constructor() {
      throw new E2eeUnsupportedError(`new ${name}()`);
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return new Proxy(cls, {
    get(target, prop, receiver) {
      if (prop in target || typeof prop === 'symbol') return Reflect.get(target, prop, receiver);
      return () => {
        throw new E2eeUnsupportedError(`${name}.${String(prop)}()`);
      };
    },
  });
}

const CLASSES = [
  'Attachment',
  'DecryptedRoomEvent',
  'DeviceId',
  'DeviceKeyId',
  'DeviceLists',
  'EncryptedAttachment',
  'EncryptionSettings',
  'KeysBackupRequest',
  'KeysClaimRequest',
  'KeysQueryRequest',
  'KeysUploadRequest',
  'OlmMachine',
  'RoomId',
  'RoomMessageRequest',
  'ServerName',
  'SignatureUploadRequest',
  'ToDeviceRequest',
  'UserId',
];

for (const name of CLASSES) exports[name] = unsupportedClass(name);

// Plain enums (numbers), as in the real bindings.
exports.StoreType = Object.freeze({ Sled: 0, Sqlite: 1 });
exports.RequestType = Object.freeze({
  KeysUpload: 0,
  KeysQuery: 1,
  KeysClaim: 2,
  ToDevice: 3,
  SignatureUpload: 4,
  RoomMessage: 5,
  KeysBackup: 6,
});
exports.EncryptionAlgorithm = Object.freeze({ OlmV1Curve25519AesSha2: 0, MegolmV1AesSha2: 1 });
exports.HistoryVisibility = Object.freeze({ Invited: 0, Joined: 1, Shared: 2, WorldReadable: 3 });
exports.E2eeUnsupportedError = E2eeUnsupportedError;
exports.isStub = true;
