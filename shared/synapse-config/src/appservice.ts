/**
 * Appservice registration files: how Synapse knows our bot runner (one appservice owning the
 * bots' user namespace, see ARCHITECTURE.md "bots as one appservice").
 */
import { toYaml } from './yaml.ts';

export interface NamespaceEntry {
  /** Python regex over full ids, e.g. `@todo:example\.org`. Anchor it; see `userIdRegex`. */
  regex: string;
  /** Only this appservice may create or act for matching ids. Default true. */
  exclusive?: boolean;
}

export interface AppserviceRegistrationOptions {
  /** Unique id of the registration (e.g. `mana-bots`). */
  id: string;
  /** Where Synapse pushes transactions (the bot runner, e.g. `http://bots:3300`); `null` for none. */
  url: string | null;
  /** Token the appservice uses to call Synapse. */
  asToken: string;
  /** Token Synapse sends with each transaction so the appservice can trust it. */
  hsToken: string;
  /** Localpart of the appservice's own user (e.g. `mana`). */
  senderLocalpart: string;
  /** User namespaces (`namespaces.users`). */
  users: NamespaceEntry[];
  /** Room alias namespaces. Default none. */
  aliases?: NamespaceEntry[];
  /** Room id namespaces. Default none. */
  rooms?: NamespaceEntry[];
  /**
   * Also push ephemeral events (typing, receipts, presence) in transactions (MSC2409).
   * Default false.
   */
  pushEphemeral?: boolean;
  /**
   * End-to-end encryption for the namespace's users: to-device events (MSC2409), device-list changes
   * and one-time-key counts (MSC3202) in transactions, devices made by the appservice (MSC4190).
   * Implies `pushEphemeral` (Synapse sends to-device events only with it). Needs the homeserver's
   * `appserviceE2ee`. Default false.
   */
  e2ee?: boolean;
}

interface NamespaceConfig {
  regex: string;
  exclusive: boolean;
}

export interface AppserviceRegistration {
  id: string;
  url: string | null;
  as_token: string;
  hs_token: string;
  sender_localpart: string;
  namespaces: { users: NamespaceConfig[]; aliases: NamespaceConfig[]; rooms: NamespaceConfig[] };
  rate_limited: false;
  receive_ephemeral?: true;
  'de.sorunome.msc2409.push_ephemeral'?: true;
  'org.matrix.msc3202'?: true;
  'io.element.msc4190'?: true;
}

export function renderAppserviceRegistration(options: AppserviceRegistrationOptions): AppserviceRegistration {
  const ns = (entries: NamespaceEntry[] = []): NamespaceConfig[] =>
    entries.map((e) => ({ regex: e.regex, exclusive: e.exclusive ?? true }));
  return {
    id: options.id,
    url: options.url,
    as_token: options.asToken,
    hs_token: options.hsToken,
    sender_localpart: options.senderLocalpart,
    namespaces: { users: ns(options.users), aliases: ns(options.aliases), rooms: ns(options.rooms) },
    // Bots answer many users at once; Synapse's per-user limits would throttle them.
    rate_limited: false,
    // Synapse reads the stable key; bot SDKs and older servers know the unstable one.
    ...(options.pushEphemeral || options.e2ee
      ? { receive_ephemeral: true as const, 'de.sorunome.msc2409.push_ephemeral': true as const }
      : {}),
    ...(options.e2ee ? { 'org.matrix.msc3202': true as const, 'io.element.msc4190': true as const } : {}),
  };
}

export function renderAppserviceRegistrationYaml(options: AppserviceRegistrationOptions): string {
  return toYaml(renderAppserviceRegistration(options), `appservice ${options.id}`);
}

/**
 * An anchored regex matching exactly the given localparts on one server:
 * `userIdRegex(['todo', 'clock'], 'example.org')` → `^@(todo|clock):example\.org$`.
 */
export function userIdRegex(localparts: readonly string[], serverName: string): string {
  if (localparts.length === 0) throw new Error('userIdRegex needs at least one localpart');
  const alternatives = localparts.map(escapeRegex).join('|');
  return `^@(${alternatives}):${escapeRegex(serverName)}$`;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
