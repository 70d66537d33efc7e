/**
 * Server text rendered as text (SPEC §2.7): a small formatting subset —
 * http/https links, **bold**, `code`, "- " and "1. " lists — built as preact
 * elements. Nothing is ever parsed as HTML, so markup in the text stays inert.
 */
import type { ComponentChildren } from 'preact';

const INLINE = /`([^`\n]+)`|\*\*([^*\n]+)\*\*|(https?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]])/g;
const LIST_ITEM = /^\s*(?:([-*])|\d+[.)])\s+/;

/** The URL when it is an absolute http(s) URL; null for javascript:, data: and everything else. */
export function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw);
    return /^https?:$/.test(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

export function inline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    const [whole, code, bold, url] = match;
    out.push(text.slice(last, match.index));
    last = match.index! + whole.length;
    const href = url && safeHref(url);
    out.push(
      code ? <code>{code}</code>
      : bold ? <strong>{bold}</strong>
      : href ? <a href={href} target="_blank" rel="noopener noreferrer nofollow">{url}</a>
      : whole,
    );
  }
  out.push(text.slice(last));
  return out;
}

/** Paragraphs split on blank lines; consecutive "- " or "1. " lines become one list. */
export function RichText({ text }: { text: string }) {
  const blocks: ComponentChildren[] = [];
  let list = null as { ordered: boolean; items: ComponentChildren[] } | null;
  let lines: ComponentChildren[] = [];
  const flushParagraph = (): void => {
    if (lines.length) blocks.push(<p>{lines}</p>);
    lines = [];
  };
  const flushList = (): void => {
    if (list) blocks.push(list.ordered ? <ol>{list.items}</ol> : <ul>{list.items}</ul>);
    list = null;
  };
  for (const line of text.split('\n')) {
    const item = LIST_ITEM.exec(line);
    if (item) {
      flushParagraph();
      const ordered = !item[1];
      if (list?.ordered !== ordered) flushList();
      (list ??= { ordered, items: [] }).items.push(<li>{inline(line.slice(item[0].length))}</li>);
    } else {
      flushList();
      if (line.trim() === '') flushParagraph();
      else lines.push(lines.length ? <br /> : null, inline(line));
    }
  }
  flushParagraph();
  flushList();
  return <>{blocks}</>;
}
