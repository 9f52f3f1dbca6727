import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { PartialImagesError, parseSSE, type SSEMessage } from '../../src/core';
import { byteStream, bytesOf, chunksOf, collect, splitAt, sseResponse } from '../fixtures/streams';

// The core must never load React.
vi.mock('react', () => ({}));

/** A plain reading of the WHATWG algorithm over the whole text: the oracle. */
function reference(text: string): SSEMessage[] {
  const out: SSEMessage[] = [];
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = body.split(/\r\n|\r|\n/);
  // The last piece has no line ending: it is not a line.
  lines.pop();
  let data: string[] = [];
  let event = '';
  let id = '';
  for (const line of lines) {
    if (line === '') {
      if (data.length > 0) {
        const message: SSEMessage = { data: data.join('\n') };
        if (event) message.event = event;
        if (id) message.id = id;
        out.push(message);
      }
      data = [];
      event = '';
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
  }
  return out;
}

const parseChunks = (chunks: (string | Uint8Array)[]) => collect(parseSSE(byteStream(chunks)));

describe('parseSSE', () => {
  it('parses the real OpenAI framing: event and data lines, blank-line separated', async () => {
    const text =
      'event: response.created\ndata: {"type":"response.created","sequence_number":0}\n\n' +
      'event: response.completed\ndata: {"type":"response.completed","sequence_number":1}\n\n';
    expect(await parseChunks([text])).toEqual([
      { event: 'response.created', data: '{"type":"response.created","sequence_number":0}' },
      { event: 'response.completed', data: '{"type":"response.completed","sequence_number":1}' },
    ]);
  });

  it('drops one leading BOM, even split over chunks, and keeps a later U+FEFF', async () => {
    const bytes = bytesOf('\uFEFFdata: a\uFEFF\n\n\uFEFFdata: b\n\n');
    for (let cut = 0; cut <= 4; cut++) {
      const messages = await parseChunks(splitAt(bytes, [1, 2, cut]));
      expect(messages).toEqual([{ data: 'a\uFEFF' }]);
    }
  });

  it('accepts LF, CR and CRLF line ends, including a CRLF split across chunks', async () => {
    const text = 'data: lf\n\ndata: cr\r\rdata: crlf\r\n\r\ndata: mixed\r\n\n';
    const expected = [{ data: 'lf' }, { data: 'cr' }, { data: 'crlf' }, { data: 'mixed' }];
    const bytes = bytesOf(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await parseChunks(splitAt(bytes, [cut]))).toEqual(expected);
    }
  });

  it('skips comments, joins data lines with \\n, strips one space, reads bare field names', async () => {
    const text = [
      ': OPENROUTER PROCESSING',
      '',
      'data:  two spaces',
      'data:none',
      'data',
      'event',
      '',
      '',
    ].join('\n');
    expect(await parseChunks([text])).toEqual([{ data: ' two spaces\nnone\n' }]);
  });

  it('keeps the last event id across events and ignores ids holding NUL', async () => {
    const text = 'id: 7\ndata: a\n\ndata: b\n\nid: x\0y\ndata: c\n\nid\ndata: d\n\n';
    expect(await parseChunks([text])).toEqual([
      { data: 'a', id: '7' },
      { data: 'b', id: '7' },
      { data: 'c', id: '7' },
      { data: 'd' },
    ]);
  });

  it('dispatches an event with one empty data line, and none for an event without data', async () => {
    expect(await parseChunks(['event: ping\n\ndata:\n\n'])).toEqual([{ data: '' }]);
  });

  it('drops an event that has no closing blank line at the end of the stream', async () => {
    expect(await parseChunks(['data: complete\n\ndata: {"cut":'])).toEqual([{ data: 'complete' }]);
    expect(await parseChunks(['data: no blank line\n'])).toEqual([]);
  });

  it('decodes multi-byte UTF-8 split at every byte, and replaces invalid bytes with U+FFFD', async () => {
    const text = 'data: {"delta":"héllo wörld 日本語 🖼️"}\n\n';
    const bytes = bytesOf(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await parseChunks(splitAt(bytes, [cut]))).toEqual([
        { data: '{"delta":"héllo wörld 日本語 🖼️"}' },
      ]);
    }
    const invalid = new Uint8Array([...bytesOf('data: a'), 0xff, 0xc3, ...bytesOf('\n\n')]);
    expect(await parseChunks([invalid])).toEqual([{ data: 'a\uFFFD\uFFFD' }]);
  });

  it('reads a 20 MB data line in 64 KB chunks', async () => {
    const big = 'A'.repeat(20 * 1024 * 1024);
    const bytes = bytesOf(`data: {"partial_image_b64":"${big}"}\n\n`);
    const [message] = await parseChunks(chunksOf(bytes, 64 * 1024));
    expect(message?.data.length).toBe(big.length + 24);
    expect(message?.data.endsWith(`${'A'.repeat(10)}"}`)).toBe(true);
  });

  it('gives the same messages as the reference for any text cut anywhere', async () => {
    const piece = fc.constantFrom(
      'data: x',
      'data:y',
      'data: {"a":"é"}',
      'event: e',
      'id: 1',
      'id: \0',
      ': comment',
      'retry: 10',
      'data',
      '\uFEFF',
      'ü',
      '\t',
      '\n',
      '\r',
      '\r\n',
      '\n\n',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (pieces, cuts) => {
          const text = pieces.join('');
          const bytes = bytesOf(text);
          const offsets = cuts.map((cut) => (bytes.length === 0 ? 0 : cut % bytes.length));
          expect(await parseChunks(splitAt(bytes, offsets))).toEqual(reference(text));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('reads a Response and text chunks', async () => {
    const response = sseResponse(['data: one\n', '\ndata: two\n\n']);
    expect(await collect(parseSSE(response))).toEqual([{ data: 'one' }, { data: 'two' }]);
    const text = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue('data: text\n\n' as unknown as Uint8Array);
        controller.close();
      },
    });
    expect(await collect(parseSSE(text))).toEqual([{ data: 'text' }]);
  });

  it('throws a TypeError naming the argument when given something else', () => {
    expect(() => parseSSE('data: x' as never)).toThrow(TypeError);
    expect(() => parseSSE('data: x' as never)).toThrow(/`body` must be a ReadableStream/);
  });

  it('stops and cancels the body when aborted, throwing PartialImagesError aborted', async () => {
    const controller = new AbortController();
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytesOf('data: first\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const message of parseSSE(stream, { signal: controller.signal })) {
        seen.push(message.data);
        controller.abort();
      }
    })();
    await expect(reading).rejects.toBeInstanceOf(PartialImagesError);
    await expect(reading).rejects.toMatchObject({ code: 'aborted' });
    expect(seen).toEqual(['first']);
    expect(cancelled).toBe(true);
  });

  it('cancels the body when the loop is left early', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytesOf('data: 1\n\ndata: 2\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const message of parseSSE(stream)) {
      expect(message.data).toBe('1');
      break;
    }
    expect(cancelled).toBe(true);
  });
});
