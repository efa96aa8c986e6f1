import { describe, expect, it } from 'vitest';
import { dueFields, notesValue, routeOf, routeOfPath } from './app.svelte.ts';

describe('routeOf', () => {
  it('maps hashes to views and keeps the view for in-page anchors', () => {
    expect(routeOf('#/calendar')).toBe('calendar');
    expect(routeOf('#/account?x=1')).toBe('account');
    expect(routeOf('#/credits')).toBe('credits');
    expect(routeOf('')).toBe('todo');
    expect(routeOf('#/nowhere')).toBe('todo');
    expect(routeOf('#main', 'calendar')).toBe('calendar');
  });
});

describe('routeOfPath', () => {
  it('the paths in the bots’ links name views; other paths do not', () => {
    expect(routeOfPath('/credits')).toBe('credits');
    expect(routeOfPath('/credits/')).toBe('credits');
    expect(routeOfPath('/account')).toBe('account');
    expect(routeOfPath('/calendar')).toBe('calendar');
    expect(routeOfPath('/')).toBeNull();
    expect(routeOfPath('/auth/callback')).toBeNull();
    expect(routeOfPath('/nowhere')).toBeNull();
  });
});

describe('dueFields', () => {
  it('writes the time with the date; no time without a date', () => {
    expect(dueFields('2026-12-02', '10:00')).toEqual({ dueDate: '2026-12-02', dueTime: '10:00' });
    expect(dueFields('2026-12-02', '')).toEqual({ dueDate: '2026-12-02', dueTime: null });
    expect(dueFields('', '10:00')).toEqual({ dueDate: null, dueTime: null });
  });
});

describe('notesValue', () => {
  it('keeps the text, drops surrounding blank space; empty clears the notes', () => {
    expect(notesValue('  line 1\n\nline 2\n')).toBe('line 1\n\nline 2');
    expect(notesValue(' \n ')).toBeNull();
  });
});
