import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CFPackage } from '../../src/case/model.js';
import { uuidv5 } from '../../src/case/uuid.js';

const NS = '1b671a64-40d5-491e-99b0-da01ff1f3341';
const id = (s: string) => uuidv5(s, NS);
const NOW = '2025-01-01T00:00:00+00:00';
const link = (identifier: string) => ({ identifier, title: identifier, uri: `urn:test:${identifier}` });

/** A small English framework: grades 1–2 × domains Number/Geometry, three standards each. */
export function smallPackage(): CFPackage {
  const items: CFPackage['CFItems'] = [];
  const assocs: CFPackage['CFAssociations'] = [];
  const docId = id('doc');
  const texts: Record<string, string[]> = {
    '1/Number': ['Count to 100 by ones and by tens.', 'Add and subtract within 20 using objects and drawings.', 'Understand place value of tens and ones.'],
    '1/Geometry': ['Distinguish between defining attributes of shapes.', 'Compose two-dimensional shapes.', 'Partition circles and rectangles into two and four equal shares.'],
    '2/Number': ['Add and subtract within 100 using place value strategies.', 'Understand place value of hundreds, tens and ones.', 'Count within 1000 and skip-count by 5s, 10s, and 100s.'],
    '2/Geometry': ['Recognize and draw shapes having specified attributes.', 'Partition a rectangle into rows and columns of same-size squares.', 'Partition circles and rectangles into two, three, or four equal shares.'],
  };
  const add = (key: string, type: string, text: string, grade: string, parent: string | undefined, code?: string) => {
    items.push({ identifier: id(key), uri: `urn:test:${id(key)}`, fullStatement: text, CFItemType: type, educationLevel: [grade.padStart(2, '0')], lastChangeDateTime: NOW, ...(code ? { humanCodingScheme: code } : {}) });
    assocs.push({ identifier: id(`c:${key}`), uri: `urn:test:c:${key}`, associationType: 'isChildOf', lastChangeDateTime: NOW, originNodeURI: link(id(key)), destinationNodeURI: link(parent ? id(parent) : docId) });
  };
  for (const g of ['1', '2']) {
    add(`g${g}`, 'Grade', `Grade ${g}`, g, undefined);
    for (const d of ['Number', 'Geometry']) {
      add(`g${g}/${d}`, 'Domain', d, g, `g${g}`);
      texts[`${g}/${d}`]!.forEach((t, n) => add(`g${g}/${d}/${n}`, 'Standard', t, g, `g${g}/${d}`, `${g}.${d[0]}.${n + 1}`));
    }
  }
  return { CFDocument: { identifier: docId, uri: `urn:test:${docId}`, creator: 'test', title: 'Small framework', lastChangeDateTime: NOW, language: 'en' }, CFItems: items, CFAssociations: assocs };
}

export interface FakeLlm {
  url: string;
  requests: Array<{ path: string; body: any; headers: IncomingMessage['headers'] }>;
  /** Answer the next n requests with this status (429, 500...) before answering normally. */
  failNext(status: number, n: number): void;
  /** Hold every answer until the returned function is called (a model that takes its time). */
  hold(): () => void;
  close(): Promise<void>;
}

/** The relation a fake model proposes: the first two labels in the prompt, I1 precedes I2. */
const answer = { relations: [{ origin: 'I1', destination: 'I2', type: 'precedes', confidence: 0.9, rationale: 'I1 comes first' }] };

/**
 * Answers other than a good one, as `answerFor` may give them: text that is not the JSON asked for (`raw`), an answer
 * cut off at the output limit (`raw` with `truncated`), no answer at all (`hang`), or an HTTP error (`status`).
 */
export type FakeReply = { raw: string; truncated?: boolean } | { hang: true } | { status: number };
const isFake = (x: unknown): x is FakeReply => typeof x === 'object' && x !== null && ('raw' in x || 'hang' in x || 'status' in x);

/** The prompt a request carries, whatever the protocol (OpenAI chat and Responses, Anthropic, Google). */
export function promptOf(body: any): string {
  const text = (c: unknown): string => (typeof c === 'string' ? c : Array.isArray(c) ? c.map((p: any) => p.text ?? p.content ?? '').map(text).join('') : '');
  if (body.messages) return text(body.messages.at(-1).content);
  if (body.input) return text(body.input.at(-1).content);
  if (body.contents) return text(body.contents.at(-1).parts);
  return '';
}

/**
 * A local server speaking the providers' wire protocols as the AI SDK calls them: OpenAI chat completions and
 * Responses, Anthropic messages (text or the json tool), Google generateContent, OpenAI-compatible servers.
 * `answerFor` gives the model's answer to a request body (default: I1 precedes I2).
 */
export async function fakeLlm(answerFor: (body: any) => unknown = () => answer): Promise<FakeLlm> {
  const requests: FakeLlm['requests'] = [];
  let failures: { status: number; n: number } = { status: 0, n: 0 };
  let held: Promise<void> = Promise.resolve();
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => void held.then(() => {
      const body = raw ? JSON.parse(raw) : {};
      requests.push({ path: req.url ?? '', body, headers: req.headers });
      const send = (status: number, obj: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(obj));
      };
      if (failures.n > 0) {
        failures.n--;
        return send(failures.status, { error: { message: 'slow down', type: 'rate_limit' } }, failures.status === 429 ? { 'retry-after': '0' } : {});
      }
      const reply = answerFor(body);
      if (isFake(reply) && 'hang' in reply) return;
      if (isFake(reply) && 'status' in reply) return send(reply.status, { error: { message: `status ${reply.status}`, type: 'invalid_request_error' } });
      const unusable = isFake(reply) && 'raw' in reply ? reply : undefined;
      const text = unusable ? unusable.raw : JSON.stringify(reply);
      const cut = unusable?.truncated === true;
      const url = req.url ?? '';
      if (url.endsWith('/chat/completions')) {
        return send(200, { id: 'c1', object: 'chat.completion', created: 1, model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: cut ? 'length' : 'stop' }], usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 } });
      }
      if (url.endsWith('/responses')) {
        return send(200, {
          id: 'r1', object: 'response', created_at: 1, model: body.model, status: cut ? 'incomplete' : 'completed', incomplete_details: cut ? { reason: 'max_output_tokens' } : null,
          output: [{ type: 'message', id: 'm1', role: 'assistant', status: cut ? 'incomplete' : 'completed', content: [{ type: 'output_text', text, annotations: [] }] }],
          usage: { input_tokens: 100, output_tokens: 20, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
        });
      }
      if (url.endsWith('/messages')) {
        // Anthropic's tool input is always an object: an unusable answer comes as text instead of the json tool.
        const tool = !unusable && (body.tools ?? []).find((t: { name: string }) => t.name === 'json');
        const content = tool ? [{ type: 'tool_use', id: 't1', name: 'json', input: reply }] : [{ type: 'text', text }];
        return send(200, { id: 'msg1', type: 'message', role: 'assistant', model: body.model, content, stop_reason: cut ? 'max_tokens' : tool ? 'tool_use' : 'end_turn', stop_sequence: null, usage: { input_tokens: 100, output_tokens: 20 } });
      }
      if (/:generateContent$/.test(url)) {
        return send(200, { candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: cut ? 'MAX_TOKENS' : 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 20, totalTokenCount: 120 } });
      }
      send(404, { error: { message: `no route ${url}` } });
    }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (status, n) => (failures = { status, n }),
    hold() {
      let release!: () => void;
      held = new Promise((r) => (release = r));
      return release;
    },
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
