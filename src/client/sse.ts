/** A minimal server-sent-events parser (the subset of the spec our server emits: event, id, data, retry). */
import { StringDecoder } from 'node:string_decoder';

export interface SseMessage {
  event: string;
  data: string;
  /** The last id seen on the stream (SSE keeps it across messages without one). */
  id: string | null;
}

export async function* parseSse(body: AsyncIterable<Buffer | string>): AsyncGenerator<SseMessage> {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let lastId: string | null = null;
  for await (const chunk of body) {
    buffer += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let nl: number;
    let start = 0;
    while ((nl = buffer.indexOf('\n', start)) >= 0) {
      let line = buffer.slice(start, nl);
      start = nl + 1;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') {
        if (data.length) yield { event: event || 'message', data: data.join('\n'), id: lastId };
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue; // comment (heartbeat)
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') lastId = value;
    }
    buffer = buffer.slice(start);
  }
}
