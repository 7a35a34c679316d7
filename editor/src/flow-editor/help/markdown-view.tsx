import type { ReactNode } from 'react';
import { parseMarkdown, safeHref, type Inline } from './markdown-blocks.js';

function renderInline(inline: Inline[]): ReactNode[] {
  return inline.map((part, index) => {
    switch (part.kind) {
      case 'code':
        return <code key={index}>{part.text}</code>;
      case 'strong':
        return <strong key={index}>{part.text}</strong>;
      case 'em':
        return <em key={index}>{part.text}</em>;
      case 'link': {
        const href = safeHref(part.href);
        return href ? (
          <a key={index} href={href} target="_blank" rel="noreferrer noopener">
            {part.text}
          </a>
        ) : (
          <span key={index}>{part.text}</span>
        );
      }
      default:
        return <span key={index}>{part.text}</span>;
    }
  });
}

/** Node help rendered from Markdown as React elements: text only, no HTML ever injected. */
export function MarkdownView({ source }: { source: string }) {
  const blocks = parseMarkdown(source);
  return (
    <div className="fe-markdown">
      {blocks.map((block, index) => {
        switch (block.kind) {
          case 'heading': {
            const level = Math.min(6, block.level + 2);
            const Tag = `h${level}` as 'h3';
            return <Tag key={index}>{renderInline(block.inline)}</Tag>;
          }
          case 'list':
            return block.ordered ? (
              <ol key={index}>{block.items.map((item, i) => <li key={i}>{renderInline(item)}</li>)}</ol>
            ) : (
              <ul key={index}>{block.items.map((item, i) => <li key={i}>{renderInline(item)}</li>)}</ul>
            );
          case 'code':
            return <pre key={index}>{block.text}</pre>;
          default:
            return <p key={index}>{renderInline(block.inline)}</p>;
        }
      })}
    </div>
  );
}
