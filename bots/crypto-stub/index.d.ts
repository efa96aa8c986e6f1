// Types of the stub: just enough for matrix-bot-sdk's declarations to resolve.
export declare class E2eeUnsupportedError extends Error {
  readonly code: 'ERR_E2EE_UNSUPPORTED';
}
declare class Unsupported {
  private constructor();
}
export declare class Attachment extends Unsupported {}
export declare class DecryptedRoomEvent extends Unsupported {}
export declare class DeviceId extends Unsupported {}
export declare class DeviceKeyId extends Unsupported {}
export declare class DeviceLists extends Unsupported {}
export declare class EncryptedAttachment extends Unsupported {}
export declare class EncryptionSettings extends Unsupported {}
export declare class KeysBackupRequest extends Unsupported {}
export declare class KeysClaimRequest extends Unsupported {}
export declare class KeysQueryRequest extends Unsupported {}
export declare class KeysUploadRequest extends Unsupported {}
export declare class OlmMachine extends Unsupported {}
export declare class RoomId extends Unsupported {}
export declare class RoomMessageRequest extends Unsupported {}
export declare class ServerName extends Unsupported {}
export declare class SignatureUploadRequest extends Unsupported {}
export declare class ToDeviceRequest extends Unsupported {}
export declare class UserId extends Unsupported {}
export declare const StoreType: { readonly Sled: 0; readonly Sqlite: 1 };
export type StoreType = 0 | 1;
export declare const RequestType: Readonly<Record<string, number>>;
export declare const EncryptionAlgorithm: Readonly<Record<string, number>>;
export declare const HistoryVisibility: Readonly<Record<string, number>>;
export declare const isStub: true;
