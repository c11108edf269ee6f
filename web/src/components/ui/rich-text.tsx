import { Fragment, useMemo, type ReactNode } from 'react';
import { parseInline, parseRichText, type Inline } from '../../lib/rich-text.js';

function renderInlines(inlines: Inline[]): ReactNode {
  return inlines.map((n, i) => {
    switch (n.kind) {
      case 'text':
        return <Fragment key={i}>{n.text}</Fragment>;
      case 'br':
        return <br key={i} />;
      case 'code':
        return <code key={i}>{n.text}</code>;
      case 'math':
        return <span key={i} className="math">{n.text}</span>;
      case 'strong':
        return <strong key={i}>{renderInlines(n.children)}</strong>;
      case 'em':
        return <em key={i}>{renderInlines(n.children)}</em>;
      case 'link':
        return <a key={i} href={n.href} rel="noopener noreferrer">{renderInlines(n.children)}</a>;
    }
  });
}

/** CASE text (Markdown/LaTeX subset) as React elements: safe for untrusted input, no innerHTML. */
export function RichText({ text, className }: { text: string; className?: string }) {
  const blocks = useMemo(() => parseRichText(text), [text]);
  return (
    <div className={['rich-text', className].filter(Boolean).join(' ')}>
      {blocks.map((b, i) => {
        switch (b.kind) {
          case 'paragraph':
            return <p key={i}>{renderInlines(b.inlines)}</p>;
          case 'heading':
            return <p key={i} className="rich-heading">{renderInlines(b.inlines)}</p>;
          case 'math':
            return <p key={i} className="math math-display">{b.text}</p>;
          case 'list': {
            const List = b.ordered ? 'ol' : 'ul';
            return <List key={i}>{b.items.map((item, j) => <li key={j}>{renderInlines(item)}</li>)}</List>;
          }
        }
      })}
    </div>
  );
}

/** One line of CASE text (tree rows, links): inline formatting only. */
export function InlineText({ text }: { text: string }) {
  const inlines = useMemo(() => parseInline(text.replace(/\s*\n\s*/g, ' ')), [text]);
  return <>{renderInlines(inlines)}</>;
}
