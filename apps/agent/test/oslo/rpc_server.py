#!/usr/bin/python3
"""A long-running real oslo.messaging RPC server for tests.

Serves Target(topic=<topic>, server=<name>) with the fixture's endpoints
(default namespace v1.3: echo, record_event, refresh_cache, fail_value_error,
slow; namespace 'admin' v2.1: get_stats), optionally with a notification
listener. Each executed call is printed as a JSON line on stdout and, with
--record, appended to a file, so tests can observe side effects (replay).

stdout lines:
  {"event": "ready", "server": "node-a", "pid": 123, "topic": "demo", ...}
  {"event": "executed", "server": "node-a", "method": "echo", "args": {...},
   "context": {"request_id": ...}, "at": 1700000000.0}
  {"event": "stopped", "server": "node-a"}

Stops cleanly on SIGTERM/SIGINT (oslo deletes its fanout queue then).
"""

import argparse
import json
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import oslo_messaging  # noqa: E402

import scenario_common as common  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--transport-url', required=True)
    p.add_argument('--topic', default='demo')
    p.add_argument('--server', default='node-a')
    p.add_argument('--exchange', default='openstack',
                   help='control_exchange (default: openstack)')
    p.add_argument('--record', help='append one JSON line per executed call')
    p.add_argument('--notifications', metavar='TOPIC',
                   help='also run a notification listener on TOPIC')
    p.add_argument('--ready-timeout', type=float, default=30.0)
    return p.parse_args(argv)


def make_recorder(server, record_path):
    lock = threading.Lock()

    def record(method, args, ctxt):
        entry = {'event': 'executed', 'server': server, 'method': method,
                 'args': args, 'context': common.context_summary(ctxt),
                 'at': time.time()}
        if record_path:
            with lock, open(record_path, 'a', encoding='utf-8') as f:
                f.write(json.dumps(entry, default=repr) + '\n')
        common.emit(entry)
    return record


def main(argv):
    opts = parse_args(argv)
    conf = common.make_conf(opts.exchange)
    record = make_recorder(opts.server, opts.record)

    transport = common.rpc_transport(conf, opts.transport_url)
    target = oslo_messaging.Target(topic=opts.topic, server=opts.server)
    endpoints = [common.DefaultEndpoint(opts.server, record),
                 common.AdminEndpoint(opts.server, record)]
    server = oslo_messaging.get_rpc_server(
        transport, target, endpoints, executor='threading',
        access_policy=oslo_messaging.DefaultRPCAccessPolicy)

    listener = None
    notif_transport = None
    wanted = {opts.topic: 1, '%s.%s' % (opts.topic, opts.server): 1}
    if opts.notifications:
        notif_transport = common.notification_transport(
            conf, opts.transport_url)
        listener = oslo_messaging.get_notification_listener(
            notif_transport, [oslo_messaging.Target(topic=opts.notifications)],
            [common.NotificationEndpoint(opts.server, record)],
            executor='threading')
        wanted['%s.info' % opts.notifications] = 1
        wanted['%s.error' % opts.notifications] = 1

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    server.start()
    if listener:
        listener.start()
    # Only report ready once our own consumers are live on the broker.
    common.wait_for_consumers(opts.transport_url, wanted, opts.ready_timeout)
    common.emit({'event': 'ready', 'server': opts.server, 'pid': os.getpid(),
                 'topic': opts.topic, 'exchange': opts.exchange,
                 'notifications': opts.notifications})

    while not stop.wait(0.2):
        pass

    for s in (server, listener):
        if s:
            s.stop()
    for s in (server, listener):
        if s:
            s.wait()
    transport.cleanup()
    if notif_transport:
        notif_transport.cleanup()
    common.emit({'event': 'stopped', 'server': opts.server})
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
