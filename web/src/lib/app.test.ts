import { describe, expect, it } from 'vitest';
import { routeOf } from './app.svelte.ts';

describe('routeOf', () => {
  it('maps hashes to views and keeps the view for in-page anchors', () => {
    expect(routeOf('#/calendar')).toBe('calendar');
    expect(routeOf('#/account?x=1')).toBe('account');
    expect(routeOf('')).toBe('todo');
    expect(routeOf('#/nowhere')).toBe('todo');
    expect(routeOf('#main', 'calendar')).toBe('calendar');
  });
});
