import { describe, expect, it } from 'vitest';
import { encodeReply, encodeRequest, REDACTED, type RequestToEncode } from '@osloscope/shared';
import { openTestCore } from '../../test/support/capture-fixtures.js';
import type { RawCapture } from '../ports/raw-capture.js';

const T0 = 1_795_973_550_000;
const PASSWORD = 'hunter2-Sup3rSecret';
const DB_URL = 'mysql+pymysql://nova:db-Pa55word@10.0.0.5/nova';

function tapped(m: { exchange: string; routingKey: string; properties: RawCapture['properties']; body: Uint8Array }, at: number): RawCapture {
  return { source: 'rabbit', receivedAt: at, origin: 'tap', headers: {}, ...m };
}

const call: RequestToEncode = {
  exchange: 'nova',
  topic: 'compute',
  method: 'change_instance_password',
  args: { instance_uuid: 'a1b2', admin_password: PASSWORD, note: 'NaN is fine here' },
  context: { request_id: 'req-1', auth_token: 'gAAAAABtoken' },
  uniqueId: 'a'.repeat(32),
  msgId: 'b'.repeat(32),
  replyQueue: 'reply_' + 'c'.repeat(32),
};

/** A captured call whose args hold a password, answered by a remote failure quoting a DB URL with its password. */
function capture() {
  const core = openTestCore({ now: () => T0 + 1000 });
  core.ingest(tapped(encodeRequest(call), T0));
  const failure = {
    class: 'OperationalError',
    module: 'sqlalchemy.exc',
    message: `(pymysql.err.OperationalError) cannot connect to ${DB_URL}`,
    traceback: [`  File "db.py", line 1, in connect\n    engine = create_engine('${DB_URL}')\n`],
    args: [],
    kwargs: {},
  };
  core.ingest(tapped(encodeReply({ replyQueue: call.replyQueue!, msgId: call.msgId!, uniqueId: 'd'.repeat(32), result: null, failure, ending: true }), T0 + 5));
  core.flush();
  return core;
}

describe('masking holds for everything a reader can reach', () => {
  it('the text filter matches the masked form only: a masked password cannot be probed character by character', () => {
    const core = capture();
    for (const probe of [PASSWORD, 'hunter2', 'Sup3r', 'db-Pa55word', 'Pa55']) {
      expect(core.query({ text: probe }, { limit: 10 }).items, probe).toEqual([]);
    }
    // What is shown is still found.
    expect(core.query({ text: 'change_instance_password' }, { limit: 10 }).items).toHaveLength(1);
    expect(core.query({ text: 'a1b2' }, { limit: 10 }).items).toHaveLength(1);
    expect(core.query({ text: 'OperationalError' }, { limit: 10 }).items).toHaveLength(2);
    core.close();
  });

  it('remote failures are shown with passwords masked, in the call, the reply and the export', () => {
    const core = capture();
    const [reply, req] = core.query({}, { limit: 10 }).items;
    const everything = JSON.stringify([core.get(req!.id), core.get(reply!.id), core.query({}, { limit: 10 })]);
    let exported = '';
    core.exportNdjson({}, (line) => (exported += line + '\n'));
    for (const shown of [everything, exported]) {
      expect(shown).not.toContain('db-Pa55word');
      expect(shown).not.toContain(PASSWORD);
    }
    expect(core.get(reply!.id)?.reply?.failure?.message).toContain(`nova:${REDACTED}@10.0.0.5`);
    expect(core.get(req!.id)?.outcome?.failure?.message).toContain(`nova:${REDACTED}@10.0.0.5`);
    core.close();
  });
});
