/**
 * Synapse's API for its delegated auth server (`/_synapse/mas/*`, Synapse ≥ 1.130), authenticated
 * with the shared secret of `matrix_authentication_service.secret`. We call it as the Matrix
 * Authentication Service would: users when they sign in, devices before a token is handed out and
 * when a session ends.
 */
export interface SynapseAdminOptions {
  /** Synapse's base URL (no trailing slash needed). */
  baseUrl: string;
  sharedSecret: string;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
}

export class SynapseAdminError extends Error {
  readonly status: number;
  readonly errcode: string | undefined;
  constructor(status: number, errcode: string | undefined, message: string) {
    super(message);
    this.name = 'SynapseAdminError';
    this.status = status;
    this.errcode = errcode;
  }
}

export interface SynapseAdmin {
  provisionUser(user: { localpart: string; displayName?: string; emails?: string[] }): Promise<void>;
  /** True when Synapse would accept the localpart for a new user (format, taken, appservice namespaces). */
  isLocalpartAvailable(localpart: string): Promise<boolean>;
  upsertDevice(device: { localpart: string; deviceId: string; displayName?: string }): Promise<void>;
  deleteDevice(device: { localpart: string; deviceId: string }): Promise<void>;
  /** Lets the user replace their cross-signing keys without UIA for a short while (MSC4312). */
  allowCrossSigningReset(localpart: string): Promise<void>;
  queryUser(localpart: string): Promise<{ user_id: string; display_name: string | null } | undefined>;
  deleteUser(localpart: string, erase: boolean): Promise<void>;
  reactivateUser(localpart: string): Promise<void>;
}

export function createSynapseAdmin(options: SynapseAdminOptions): SynapseAdmin {
  const base = options.baseUrl.replace(/\/+$/, '');
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> => {
    const res = await fetch(`${base}/_synapse/mas/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.sharedSecret}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    return res;
  };
  const expectOk = async (res: Response, what: string): Promise<void> => {
    if (res.ok) {
      await res.arrayBuffer();
      return;
    }
    const text = await res.text();
    let errcode: string | undefined;
    try {
      errcode = (JSON.parse(text) as { errcode?: string }).errcode;
    } catch {
      // not JSON
    }
    throw new SynapseAdminError(res.status, errcode, `${what}: HTTP ${res.status} ${text.slice(0, 200)}`);
  };
  return {
    async provisionUser(user) {
      const body: Record<string, unknown> = { localpart: user.localpart };
      if (user.displayName) body.set_displayname = user.displayName;
      if (user.emails) body.set_emails = user.emails;
      await expectOk(await call('POST', 'provision_user', body), 'provision_user');
    },
    async isLocalpartAvailable(localpart) {
      const res = await call('GET', `is_localpart_available?localpart=${encodeURIComponent(localpart)}`);
      if (res.ok) {
        await res.arrayBuffer();
        return true;
      }
      if (res.status === 400) {
        await res.arrayBuffer();
        return false;
      }
      await expectOk(res, 'is_localpart_available');
      return false;
    },
    async upsertDevice(device) {
      await expectOk(
        await call('POST', 'upsert_device', {
          localpart: device.localpart,
          device_id: device.deviceId,
          ...(device.displayName ? { display_name: device.displayName } : {}),
        }),
        'upsert_device',
      );
    },
    async deleteDevice(device) {
      const res = await call('POST', 'delete_device', {
        localpart: device.localpart,
        device_id: device.deviceId,
      });
      // The user being gone means the device is gone too.
      if (res.status === 404) {
        await res.arrayBuffer();
        return;
      }
      await expectOk(res, 'delete_device');
    },
    async allowCrossSigningReset(localpart) {
      await expectOk(
        await call('POST', 'allow_cross_signing_reset', { localpart }),
        'allow_cross_signing_reset',
      );
    },
    async queryUser(localpart) {
      const res = await call('GET', `query_user?localpart=${encodeURIComponent(localpart)}`);
      if (res.status === 404) {
        await res.arrayBuffer();
        return undefined;
      }
      if (!res.ok) await expectOk(res, 'query_user');
      return (await res.json()) as { user_id: string; display_name: string | null };
    },
    async deleteUser(localpart, erase) {
      await expectOk(await call('POST', 'delete_user', { localpart, erase }), 'delete_user');
    },
    async reactivateUser(localpart) {
      await expectOk(await call('POST', 'reactivate_user', { localpart }), 'reactivate_user');
    },
  };
}
