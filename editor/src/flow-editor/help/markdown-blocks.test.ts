import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMarkdown, safeHref } from './markdown-blocks.js';

test('help markdown becomes blocks of text, HTML stays text', () => {
  const blocks = parseMarkdown('# Inject\n\nSends **a** `msg` <img src=x onerror=alert(1)>.\n\n- one\n- two\n\n```\ncode <b>\n```');
  assert.deepEqual(blocks.map((b) => b.kind), ['heading', 'paragraph', 'list', 'code']);
  const paragraph = blocks[1]!;
  assert.ok(paragraph.kind === 'paragraph');
  assert.deepEqual(paragraph.inline.map((i) => i.kind), ['text', 'strong', 'text', 'code', 'text']);
  assert.equal(paragraph.inline[4]!.text, ' <img src=x onerror=alert(1)>.');
  assert.equal(safeHref('javascript:alert(1)'), undefined);
  assert.equal(safeHref('https://nodered.org'), 'https://nodered.org');
});
