/**
 * The widget's SSE parser (src/widget/sse.ts) against eventsource-parser, the
 * library it replaced in the bundle: on generated streams — every field kind,
 * comments, values with colons and leading spaces, CR, LF and CRLF line ends
 * — fed in chunks cut at arbitrary places, both report the
 * same events in the same order.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createParser } from 'eventsource-parser';
import { createSseParser } from '../../../src/widget/sse.js';

const char = fc.constantFrom('a', 'b', ' ', ':', 'é', '{', '"', '\uFEFF', '0');
const value = fc.string({ unit: char, maxLength: 6 });
const line = fc.oneof(
  fc.tuple(fc.constantFrom('event', 'data', 'id', 'retry', 'other', 'dat', 'data '), fc.constantFrom(':', ': ', ':  '), value).map(([f, c, v]) => f + c + v),
  fc.constantFrom('data', 'event', ''),
  value.map((v) => `:${v}`),
  value,
);
const stream = fc
  .array(fc.tuple(line, fc.constantFrom('\n', '\r\n', '\r')), { maxLength: 25 })
  .map((lines) => lines.map(([l, end]) => l + end).join(''));

function reference(chunks: string[]): string[][] {
  const events: string[][] = [];
  const parser = createParser({ onEvent: (e) => events.push([e.event || 'message', e.data]) });
  for (const chunk of chunks) parser.feed(chunk);
  return events;
}

function ours(chunks: string[]): string[][] {
  const events: string[][] = [];
  const feed = createSseParser((event, data) => events.push([event, data]));
  for (const chunk of chunks) feed(chunk);
  return events;
}

function cut(text: string, points: number[]): string[] {
  const at = [...new Set(points.map((p) => p % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let last = 0;
  for (const point of at) {
    chunks.push(text.slice(last, point));
    last = point;
  }
  chunks.push(text.slice(last));
  return chunks;
}

describe('createSseParser', () => {
  it('sees no BOM: TextDecoder, which decodes the stream, drops it', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('data: x\n\n')]);
    expect(ours([new TextDecoder().decode(bytes)])).toEqual([['message', 'x']]);
  });

  it('parses the chat stream as the standard says', () => {
    const events = ours([
      'event: start\r\ndata: {"a":1}\r\n\r\n: a comment\n',
      'event: delta\ndata: one\ndata:  two\n\nevent: ignored-without-data\n\ndata: x\r',
      '\nid: 7\nretry: 10\n\n',
      'event: end\ndata: {"b":2}\n\nevent: cut\ndata: never dispatched',
    ]);
    expect(events).toEqual([
      ['start', '{"a":1}'],
      ['delta', 'one\n two'],
      ['message', 'x'],
      ['end', '{"b":2}'],
    ]);
  });

  it('agrees with eventsource-parser on generated streams cut into chunks anywhere', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 6 }), (text, points) => {
        expect(ours(cut(text, points))).toEqual(reference([text]));
      }),
      { numRuns: 2000 },
    );
  });
});
