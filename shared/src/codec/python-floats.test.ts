import { describe, expect, it } from 'vitest';
import { decodeMessage } from './decode.js';
import { displayJson, pythonFloat, strictJsonOfPython } from './python-floats.js';
import { pythonJsonDumps } from './python-json.js';

// Written by Python 3.11's json.dumps, as oslo.messaging 14 serializes a call whose kwargs hold
// float('nan'), float('inf'), float('-inf'), 1e300, 1e-07 and a string mentioning the tokens.
const PYTHON_ARGS = '{"value": NaN, "hi": Infinity, "lo": -Infinity, "big": 1e+300, "tiny": 1e-07, "label": "NaN and Infinity stay text"}';
const PYTHON_CALL =
  '{"oslo.version": "2.0", "oslo.message": "{\\"method\\": \\"echo\\", \\"args\\": {\\"value\\": NaN, \\"hi\\": Infinity, \\"lo\\": -Infinity, \\"big\\": 1e+300, \\"tiny\\": 1e-07, \\"label\\": \\"NaN and Infinity stay text\\"}, \\"namespace\\": null, \\"version\\": \\"1.3\\", \\"_unique_id\\": \\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\", \\"_msg_id\\": \\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\\", \\"_reply_q\\": \\"reply_cccccccccccccccccccccccccccccccc\\", \\"_timeout\\": null, \\"_context_request_id\\": \\"req-1\\"}"}';
const PYTHON_REPLY = '{"result": [NaN], "failure": null, "ending": true, "_msg_id": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}';

const body = (text: string) => new TextEncoder().encode(text);

describe("Python's json as oslo writes it", () => {
  it('decodes a call whose args hold NaN, Infinity and -Infinity, with the values tagged', () => {
    const d = decodeMessage({ exchange: 'openstack', routingKey: 'demo', properties: {}, body: body(PYTHON_CALL) });
    expect(d.decodeError).toBeNull();
    expect(d.kind).toBe('call');
    expect(d.msgId).toBe('b'.repeat(32));
    expect(d.args).toEqual({
      value: pythonFloat('NaN'),
      hi: pythonFloat('Infinity'),
      lo: pythonFloat('-Infinity'),
      big: 1e300,
      tiny: 1e-7,
      label: 'NaN and Infinity stay text',
    });
    // Tagged values survive JSON (the API, the store, the stream): nothing becomes null.
    expect(JSON.parse(JSON.stringify(d.args))).toEqual(d.args);
  });

  it('decodes a reply (a bare 1.0 body) whose result is NaN', () => {
    const d = decodeMessage({ exchange: '', routingKey: 'reply_x', properties: {}, body: body(PYTHON_REPLY) });
    expect(d.decodeError).toBeNull();
    expect(d.kind).toBe('reply');
    expect(d.reply?.result).toEqual([pythonFloat('NaN')]);
  });

  it('reads numbers beyond double range as Python does (inf), not as null', () => {
    const inner = JSON.stringify({ method: 'm', args: {}, _unique_id: 'u'.repeat(32) }).replace('"args":{}', '"args":{"x": 1e400, "y": -1e400, "z": 1e-400}');
    const d = decodeMessage({ exchange: 'x', routingKey: 't', properties: {}, body: body(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': inner })) });
    expect(d.args).toEqual({ x: pythonFloat('Infinity'), y: pythonFloat('-Infinity'), z: 0 });
  });

  it('writes them back as Python does, byte for byte (a replay sends what was captured)', () => {
    const d = decodeMessage({ exchange: 'openstack', routingKey: 'demo', properties: {}, body: body(PYTHON_CALL) });
    expect(pythonJsonDumps(d.args)).toBe(PYTHON_ARGS);
    expect(pythonJsonDumps([NaN, Infinity, -Infinity])).toBe('[NaN, Infinity, -Infinity]');
  });

  it('shows them as Python writes them', () => {
    expect(displayJson({ v: pythonFloat('NaN'), w: [pythonFloat('-Infinity')], s: 'NaN' }, 0)).toBe('{"v":NaN,"w":[-Infinity],"s":"NaN"}');
  });

  it('leaves the tokens inside strings alone and still rejects what is not JSON', () => {
    expect(strictJsonOfPython('{"a": "NaN", "b": "-Infinity \\" NaN"}')).toBeNull();
    const d = decodeMessage({ exchange: 'x', routingKey: 't', properties: {}, body: body('{"a": NaNa}') });
    expect(d.decodeError?.code).toBe('not-json');
  });
});
