/** The text logged for a message the bot cannot decrypt (the WASM error is not an `Error`). */
import * as sdk from '@matrix-org/matrix-sdk-crypto-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptionErrorText, loadCryptoWasm } from './machine.ts';

beforeAll(() => loadCryptoWasm());

describe('decryptionErrorText', () => {
  it('names the code and the description of a MegolmDecryptionError', () => {
    const err = sdk.MegolmDecryptionError.unable_to_decrypt('bad MAC');
    expect(err).not.toBeInstanceOf(Error);
    expect(decryptionErrorText(err)).toBe('UnableToDecrypt: bad MAC');
  });

  it('keeps an Error’s message and stringifies the rest', () => {
    expect(decryptionErrorText(new Error('boom'))).toBe('boom');
    expect(decryptionErrorText(42)).toBe('42');
  });
});
