import { describe, expect, it } from 'vitest';
import { deviceIds, hasMatrixApi, matrixScopeProblem, matrixScopes, newDeviceId } from './scopes.ts';

describe('Matrix scopes', () => {
  it('recognises the stable and the unstable (MSC2967) forms', () => {
    const scope =
      'openid urn:matrix:client:api:* urn:matrix:client:device:ABCDEFGHIJ urn:matrix:org.matrix.msc2967.client:api:* sync';
    expect(hasMatrixApi(scope)).toBe(true);
    expect(matrixScopes(scope)).toEqual([
      'urn:matrix:client:api:*',
      'urn:matrix:client:device:ABCDEFGHIJ',
      'urn:matrix:org.matrix.msc2967.client:api:*',
    ]);
    expect(deviceIds('urn:matrix:org.matrix.msc2967.client:device:XYZ')).toEqual(['XYZ']);
    expect(hasMatrixApi('openid sync')).toBe(false);
  });

  it('refuses several devices, malformed device ids and Synapse admin scopes', () => {
    expect(matrixScopeProblem('urn:matrix:client:api:* urn:matrix:client:device:A')).toBeUndefined();
    expect(
      matrixScopeProblem('urn:matrix:client:device:A urn:matrix:org.matrix.msc2967.client:device:B'),
    ).toMatch(/one Matrix device/);
    // The same device in both forms is one device.
    expect(
      matrixScopeProblem('urn:matrix:client:device:A urn:matrix:org.matrix.msc2967.client:device:A'),
    ).toBeUndefined();
    expect(matrixScopeProblem('urn:matrix:client:device:bad/id')).toMatch(/malformed/);
    expect(matrixScopeProblem('urn:matrix:client:api:* urn:synapse:admin:*')).toMatch(/admin/);
  });

  it('makes device ids like Synapse does', () => {
    expect(newDeviceId()).toMatch(/^[A-Z]{10}$/);
  });
});
