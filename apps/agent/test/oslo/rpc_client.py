#!/usr/bin/python3
"""One real oslo.messaging call, cast or fanout cast from command-line args.

Prints one JSON line:
  {"step": "client", "action": "call", "method": "echo", "result": ...,
   "error": null | {"type": "RemoteError", "exc_type": "...", "message": ...}}
Exit status 0 when the call returned (or the cast was sent), 1 on an error.
"""

import argparse
import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import oslo_messaging  # noqa: E402

import scenario_common as common  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--transport-url', required=True)
    p.add_argument('--topic', default='demo')
    p.add_argument('--exchange', default='openstack')
    p.add_argument('--method', required=True)
    p.add_argument('--args', default='{}', help='JSON object of kwargs')
    p.add_argument('--action', choices=('call', 'cast', 'fanout'),
                   default='call')
    p.add_argument('--server')
    p.add_argument('--version')
    p.add_argument('--namespace')
    p.add_argument('--timeout', type=float)
    p.add_argument('--call-monitor-timeout', type=float)
    p.add_argument('--request-id', default='req-' + uuid.uuid4().hex[:12])
    return p.parse_args(argv)


def main(argv):
    opts = parse_args(argv)
    kwargs = json.loads(opts.args)
    conf = common.make_conf(opts.exchange)
    transport = common.rpc_transport(conf, opts.transport_url)
    client = oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=opts.topic))
    prepare = {k: v for k, v in (
        ('server', opts.server), ('version', opts.version),
        ('namespace', opts.namespace), ('timeout', opts.timeout),
        ('call_monitor_timeout', opts.call_monitor_timeout)) if v is not None}
    if opts.action == 'fanout':
        prepare['fanout'] = True
    prepared = client.prepare(**prepare) if prepare else client
    ctxt = common.request_context(opts.request_id)

    line = {'step': 'client', 'action': opts.action, 'method': opts.method,
            'args': kwargs, 'request_id': opts.request_id}
    line.update(prepare)
    started = time.time()
    try:
        if opts.action == 'call':
            line['result'] = prepared.call(ctxt, opts.method, **kwargs)
        else:
            prepared.cast(ctxt, opts.method, **kwargs)
            line['result'] = None
        line['error'] = None
    except Exception as exc:  # reported as data for the test
        line['result'] = None
        line['error'] = {'type': type(exc).__name__,
                         'message': str(exc).splitlines()[0]}
        if isinstance(exc, oslo_messaging.RemoteError):
            line['error'].update(exc_type=exc.exc_type, message=exc.value)
    line['elapsed'] = round(time.time() - started, 3)
    common.emit(line)
    transport.cleanup()
    return 1 if line['error'] else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
