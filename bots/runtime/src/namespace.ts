/** The registration's user namespace: an anchored regex over the bot localparts. */
export function userIdRegexFor(localparts: readonly string[], serverName: string): string {
  if (localparts.length === 0) throw new Error('the bot namespace needs at least one localpart');
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `^@(${localparts.map(esc).join('|')}):${esc(serverName)}$`;
}
