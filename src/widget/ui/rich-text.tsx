/**
 * Server text rendered as text (SPEC §2.7): a small formatting subset —
 * http/https links, **bold**, `code`, "- " and "1. " lists — built as preact
 * elements. Nothing is ever parsed as HTML, so markup in the text stays inert.
 */
import type { ComponentChildren } from 'preact';

const INLINE = /`([^`\n]+)`|\*\*([^*\n]+)\*\*|\[([^\]\n]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>"']+)/g;
const BULLET = /^\s*[-*]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;
const TRAILING_PUNCTUATION = /[.,;:!?)\]]+$/;

/** The URL when it is an absolute http(s) URL; null for javascript:, data: and everything else. */
export function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

function link(href: string, label: string, key: number): ComponentChildren {
  return (
    <a key={key} href={href} target="_blank" rel="noopener noreferrer nofollow">
      {label}
    </a>
  );
}

export function inline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    const start = match.index ?? 0;
    let end = start + match[0].length;
    if (start > last) out.push(text.slice(last, start));
    const [, code, bold, label, target, bare] = match;
    if (code !== undefined) out.push(<code key={start}>{code}</code>);
    else if (bold !== undefined) out.push(<strong key={start}>{bold}</strong>);
    else if (label !== undefined && target !== undefined) {
      const href = safeHref(target);
      out.push(href ? link(href, label, start) : match[0]);
    } else if (bare !== undefined) {
      const url = bare.replace(TRAILING_PUNCTUATION, '');
      end = start + url.length;
      const href = safeHref(url);
      out.push(href ? link(href, url, start) : url);
    }
    last = end;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

type Block = { type: 'p'; lines: string[] } | { type: 'ul' | 'ol'; items: string[] };

function blocks(text: string): Block[] {
  const result: Block[] = [];
  for (const line of text.split('\n')) {
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    const current = result[result.length - 1];
    if (bullet || numbered) {
      const type = bullet ? 'ul' : 'ol';
      const item = (bullet ?? numbered)![1] ?? '';
      if (current?.type === type) current.items.push(item);
      else result.push({ type, items: [item] });
    } else if (line.trim() === '') {
      result.push({ type: 'p', lines: [] });
    } else if (current?.type === 'p') {
      current.lines.push(line);
    } else {
      result.push({ type: 'p', lines: [line] });
    }
  }
  return result.filter((block) => (block.type === 'p' ? block.lines.length > 0 : true));
}

export function RichText({ text }: { text: string }) {
  return (
    <>
      {blocks(text).map((block, index) => {
        if (block.type === 'p') {
          return (
            <p key={index}>
              {block.lines.flatMap((line, i) => (i === 0 ? inline(line) : [<br key={`br${i}`} />, ...inline(line)]))}
            </p>
          );
        }
        const List = block.type;
        return (
          <List key={index}>
            {block.items.map((item, i) => (
              <li key={i}>{inline(item)}</li>
            ))}
          </List>
        );
      })}
    </>
  );
}
