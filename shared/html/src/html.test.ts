import { describe, expect, it } from 'vitest';
import { escapeHtml, html, isHtml, raw } from './index.ts';

describe('html', () => {
  it('escapes interpolated text, including quotes for attributes', () => {
    const name = `<script>alert("x")</script> & 'y'`;
    expect(html`<a title="${name}">${name}</a>`.value).toBe(
      '<a title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</a>',
    );
    expect(escapeHtml('a<b')).toBe('a&lt;b');
  });

  it('keeps nested html and raw markup, flattens arrays and drops empty values', () => {
    const items = ['a<', 'b'];
    const out = html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>${false}${null}${undefined}${3}${raw('<hr>')}`;
    expect(out.value).toBe('<ul><li>a&lt;</li><li>b</li></ul>3<hr>');
    expect(String(out)).toBe(out.value);
    expect(isHtml(out)).toBe(true);
    expect(isHtml({ value: '<b>' })).toBe(false);
  });
});
