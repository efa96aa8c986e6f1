import { htmlToText } from '@mana/bot-runtime';
import { describe, expect, it } from 'vitest';
import { groupId, MAX_LINES, notificationHtml, notificationId, runbookUrl, webhookSchema } from './alerts.ts';
import { notification } from './fixtures.ts';

describe('alert notifications', () => {
  it('shows severity, summary and runbook of a single alert', () => {
    const text = htmlToText(notificationHtml(notification()).value);
    expect(text).toContain('FIRING · critical · ManaServiceDown (1)');
    expect(text).toContain('sync (sync-0:3010) is down');
    const base = 'https://git.example.org/mana/blob/main/';
    expect(notificationHtml(notification(), { runbookBase: base }).value).toContain(
      `href="${base}deploy/README.md#manaservicedown"`,
    );
  });

  it('runbook paths become absolute links under the base; absolute ones stay; no base, no broken link', () => {
    const base = 'https://git.example.org/mana/blob/main/';
    expect(runbookUrl('deploy/README.md#x', base)).toBe(`${base}deploy/README.md#x`);
    expect(runbookUrl('/deploy/README.md#x', base)).toBe(`${base}deploy/README.md#x`);
    expect(runbookUrl('https://wiki.example.org/ops#db', base)).toBe('https://wiki.example.org/ops#db');
    expect(runbookUrl('deploy/README.md#x', '')).toBeUndefined();
    // Without a base a relative href would point into the Matrix client's own site: text instead.
    const plain = notificationHtml(notification()).value;
    expect(plain).not.toContain('href="deploy/');
    expect(plain).toContain('runbook: <code>deploy/README.md#manaservicedown</code>');
  });

  it('a storm of 500 alerts is one message listing the first few and how many more', () => {
    const text = htmlToText(notificationHtml(notification({}, 500)).value);
    expect(text).toContain('(500)');
    expect(text).toContain(`… and ${500 - MAX_LINES} more`);
    expect(text.match(/is down/g)).toHaveLength(MAX_LINES);
  });

  it('one group is one thread; a retry is the same notification, the resolve another', () => {
    const firing = notification();
    const resolved = notification({
      status: 'resolved',
      alerts: firing.alerts.map((a) => ({
        ...a,
        status: 'resolved' as const,
        endsAt: '2026-12-02T08:05:00Z',
      })),
    });
    expect(groupId(resolved)).toBe(groupId(firing));
    expect(notificationId(notification())).toBe(notificationId(firing));
    expect(notificationId(resolved)).not.toBe(notificationId(firing));
    expect(htmlToText(notificationHtml(resolved).value)).toContain('RESOLVED · ManaServiceDown');
  });

  it('refuses what is not Alertmanager’s version 4 payload', () => {
    const good = notification();
    expect(webhookSchema.safeParse({ ...good, version: '3' }).success).toBe(false);
    expect(webhookSchema.safeParse({ ...good, alerts: [] }).success).toBe(false);
    expect(webhookSchema.safeParse({ ...good, status: 'pending' }).success).toBe(false);
    expect(webhookSchema.safeParse({ ...good, alerts: [{ status: 'firing' }] }).success).toBe(false);
  });
});
