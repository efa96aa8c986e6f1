/** Why a sync request failed: `network` (offline), or the server's `errcode` with the HTTP status. */
export class SyncClientError extends Error {
  readonly code: string;
  readonly status: number | undefined;
  constructor(code: string, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'SyncClientError';
    this.code = code;
    this.status = options.status;
  }

  get isNetwork(): boolean {
    return this.code === 'network';
  }
}
