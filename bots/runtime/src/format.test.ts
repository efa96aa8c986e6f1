import { describe, expect, it } from 'vitest';
import { editContent, html, htmlToText, noticeContent, sanitize, toReply } from './format.ts';

describe('html', () => {
  it('escapes interpolations, keeps nested html', () => {
    const inner = html`<i>${'a<b'}</i>`;
    expect(html`<b>${'<script>'}</b>${inner}${[html`<li>1</li>`, 'x&y']}`.value).toBe(
      '<b>&lt;script&gt;</b><i>a&lt;b</i><li>1</li>x&amp;y',
    );
  });
});

describe('sanitize', () => {
  it('drops scripts, handlers and unsafe links, keeps Matrix formatting', () => {
    const out = sanitize(
      '<b onclick="x()">hi</b><script>alert(1)</script><a href="javascript:x">l</a><code>c</code>',
    );
    expect(out).toBe('<b>hi</b><a>l</a><code>c</code>');
  });
});

describe('replies', () => {
  it('a notice with plain body, sanitized html and in_reply_to', () => {
    const c = noticeContent(toReply(html`<b>${'Milch'}</b> added`), '$cmd');
    expect(c).toMatchObject({
      msgtype: 'm.notice',
      body: 'Milch added',
      format: 'org.matrix.custom.html',
      formatted_body: '<b>Milch</b> added',
      'm.relates_to': { 'm.in_reply_to': { event_id: '$cmd' } },
    });
  });
  it('plain text replies carry escaped HTML with their line breaks', () => {
    expect(noticeContent(toReply('a <b> & c\nnext'))).toMatchObject({
      body: 'a <b> & c\nnext',
      format: 'org.matrix.custom.html',
      formatted_body: 'a &lt;b&gt; &amp; c<br />next',
    });
  });
  it('an edit carries m.new_content and m.replace', () => {
    const e = editContent({ text: 'done' }, '$placeholder');
    expect(e).toMatchObject({
      body: '* done',
      'm.new_content': { msgtype: 'm.notice', body: 'done' },
      'm.relates_to': { rel_type: 'm.replace', event_id: '$placeholder' },
    });
  });
  it('htmlToText turns lists and breaks into lines', () => {
    expect(htmlToText('<p><b>T</b></p><ul><li>a &amp; b</li><li>c</li></ul>x<br>y')).toBe(
      'T\n• a & b\n• c\nx\ny',
    );
  });
  it('htmlToText keeps the numbers of ordered lists (the todo bot\'s "done 2" refers to them)', () => {
    expect(htmlToText('<p><b>Open</b></p><ol><li>a</li><li>b <i>x</i></li></ol>')).toBe('Open\n1. a\n2. b x');
    expect(htmlToText('<ol start="3"><li>c</li></ol><ul><li>d</li></ul>')).toBe('3. c\n• d');
  });
  it('htmlToText: line breaks and indentation inside a template are whitespace, not lines', () => {
    // What Prettier makes of an `html` template: the layout is HTML whitespace, not line breaks.
    const laidOut = [
      '<p><b>Offene Aufgaben</b></p>',
      '    <ol>',
      '      <li>',
      '          Milch kaufen — <i>morgen</i>',
      '        </li><li>',
      '          Zahnarzt anrufen',
      '        </li>',
      '    </ol>',
      '<p>Credits: <b>3</b>',
      '  available (3 total, 0',
      '  held)</p>',
    ].join('\n');
    expect(htmlToText(laidOut)).toBe(
      'Offene Aufgaben\n1. Milch kaufen — morgen\n2. Zahnarzt anrufen\nCredits: 3 available (3 total, 0 held)',
    );
    expect(htmlToText('<ul>\n  <li>\n    a\n  </li>\n</ul>x<br>\n  y')).toBe('• a\nx\ny');
  });
});
