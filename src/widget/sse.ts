/**
 * The Server-Sent Events parsing the chat stream needs, as the HTML standard
 * defines it ("Interpreting an event stream"): lines end in CRLF, LF or CR (also when split across chunks); a line starting with
 * ":" is a comment; `field: value` loses one leading space of the value; a
 * blank line dispatches the event when data was given (type `message` unless
 * `event` set one), its data lines joined with "\n"; an unfinished event at
 * the end of the stream is dropped. `id` and `retry` are read past: the widget
 * never reconnects (a cut stream is retried by messageId). The stream's BOM is
 * not seen here: TextDecoder drops it.
 *
 * Written here rather than taken from eventsource-parser, whose error classes
 * and options (buffer limits, reconnection fields) cost about 1 KB gzip of the
 * script tag's 16 KB; test/unit/widget/sse.test.ts checks this parser against
 * eventsource-parser on generated streams cut at every position.
 */
export type SseHandler = (event: string, data: string) => void;

/** Returns `feed(chunk)` for decoded text chunks, in order. */
export function createSseParser(onEvent: SseHandler): (chunk: string) => void {
  let pending = '';
  let event = '';
  let data: string[] | null = null;
  return (chunk) => {
    pending += chunk;
    // A CR at the very end may be the first half of a CRLF: it waits for the next chunk.
    const end = pending.endsWith('\r') ? pending.length - 1 : pending.length;
    const lines = pending.slice(0, end).split(/\r\n|\r|\n/);
    pending = lines.pop()! + pending.slice(end);
    for (const line of lines) {
      if (line === '') {
        if (data !== null) onEvent(event || 'message', data.join('\n'));
        event = '';
        data = null;
        continue;
      }
      const colon = line.indexOf(':');
      if (colon === 0) continue;
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(line[colon + 1] === ' ' ? colon + 2 : colon + 1);
      if (field === 'event') event = value;
      else if (field === 'data') (data ??= []).push(value);
    }
  };
}
