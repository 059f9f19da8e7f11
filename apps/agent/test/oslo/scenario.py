#!/usr/bin/python3
"""The fixture scenario, replayed with real oslo.messaging against any vhost.

Modelled on shared/test/fixtures/README.md ("How they were produced" and
"Line by line"): two RPC server processes node-a and node-b (rpc_server.py,
each with its own connections; node-a also listens for notifications), then a
client that runs steps S01..S15. Step ids match the fixture's; with
--echo-calls N > 2 the extra round-robin calls are S02 with a higher "index".

stdout: one JSON line per event, e.g.
  {"event": "servers-ready", "servers": [{"server": "node-a", "pid": ...}]}
  {"step": "S01", "action": "call", "method": "echo", "result": {...}}
  {"step": "S06", "action": "call", ..., "error": {"type": "ValueError", ...}}
  {"event": "executed", "server": "node-b", "method": "echo", ...}  (relayed)
  {"event": "done", "ok": true, "failures": []}
Exit status 0 when every step behaved as expected.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import oslo_messaging  # noqa: E402

import scenario_common as common  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SERVERS = ('node-a', 'node-b')


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--transport-url', required=True)
    p.add_argument('--topic', default='demo')
    p.add_argument('--exchange', default='openstack',
                   help='control_exchange (default: openstack)')
    p.add_argument('--notifications', default='notifications',
                   help='notification topic (default: notifications)')
    p.add_argument('--echo-calls', type=int, default=2,
                   help='round-robin echo calls (S01, S02...; default 2)')
    p.add_argument('--pause', type=float, default=0.3,
                   help='seconds between steps, so steps do not interleave')
    p.add_argument('--steps', default='',
                   help='comma-separated step ids to run (default: all)')
    p.add_argument('--request-id', default='req-' + uuid.uuid4().hex[:12])
    return p.parse_args(argv)


class Servers(object):
    """node-a and node-b as child processes; their JSON lines are relayed."""

    def __init__(self, opts):
        self.procs = []
        self.ready = {}
        self._cond = threading.Condition()
        for name in SERVERS:
            cmd = [sys.executable, os.path.join(HERE, 'rpc_server.py'),
                   '--transport-url', opts.transport_url,
                   '--topic', opts.topic, '--server', name,
                   '--exchange', opts.exchange]
            if name == 'node-a':
                cmd += ['--notifications', opts.notifications]
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
            self.procs.append(proc)
            threading.Thread(target=self._relay, args=(proc,),
                             daemon=True).start()

    def _relay(self, proc):
        for line in proc.stdout:
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if obj.get('event') == 'ready':
                with self._cond:
                    self.ready[obj['server']] = obj
                    self._cond.notify_all()
            common.emit(obj)

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.ready) < len(SERVERS):
                if any(p.poll() is not None for p in self.procs):
                    raise RuntimeError('an RPC server exited early')
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError('RPC servers not ready')
                self._cond.wait(min(left, 0.2))

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def describe_error(exc):
    """What the client saw: its class, and the remote class for RemoteError."""
    err = {'type': type(exc).__name__, 'message': str(exc).splitlines()[0]}
    if isinstance(exc, oslo_messaging.RemoteError):
        err['exc_type'] = exc.exc_type
        err['message'] = exc.value
    return err


class Client(object):
    """Runs the steps; each prints one JSON line with what the client saw."""

    def __init__(self, opts, transport, notif_transport):
        self.opts = opts
        self.ctxt = common.request_context(opts.request_id)
        self.client = oslo_messaging.get_rpc_client(
            transport, oslo_messaging.Target(topic=opts.topic))
        self.notif_transport = notif_transport
        self.failures = []

    def step(self, step, action, method, fn, expect_error=None, **info):
        line = {'step': step, 'action': action, 'method': method}
        line.update(info)
        started = time.time()
        try:
            line['result'] = fn()
            line['error'] = None
        except Exception as exc:  # the step's outcome, reported as data
            line['result'] = None
            line['error'] = describe_error(exc)
        line['elapsed'] = round(time.time() - started, 3)
        seen = line['error'] and (line['error'].get('exc_type')
                                  or line['error']['type'])
        if seen != expect_error:
            line['unexpected'] = True
            self.failures.append(step)
        common.emit(line)
        time.sleep(self.opts.pause)

    def run(self, wanted):
        c, ctxt, topic = self.client, self.ctxt, self.opts.topic

        def want(step):
            return not wanted or step in wanted

        for i in range(self.opts.echo_calls):
            step = 'S01' if i == 0 else 'S02'
            if want(step):
                value = chr(ord('a') + i % 26)
                self.step(step, 'call', 'echo',
                          lambda v=value: c.prepare(version='1.2').call(
                              ctxt, 'echo', value=v),
                          index=i, version='1.2', topic=topic, server=None)
        if want('S03'):
            self.step('S03', 'cast', 'record_event',
                      lambda: c.prepare(version='1.0').cast(
                          ctxt, 'record_event',
                          event={'kind': 'boot', 'id': 42}),
                      version='1.0', topic=topic, server=None)
        if want('S04'):
            self.step('S04', 'call', 'echo',
                      lambda: c.prepare(version='1.1', server='node-b').call(
                          ctxt, 'echo', value='direct'),
                      version='1.1', topic=topic, server='node-b')
        if want('S05'):
            self.step('S05', 'fanout', 'refresh_cache',
                      lambda: c.prepare(version='1.0', fanout=True).cast(
                          ctxt, 'refresh_cache', generation=7),
                      version='1.0', topic=topic, server=None)
        if want('S06'):
            self.step('S06', 'call', 'fail_value_error',
                      lambda: c.prepare(version='1.0').call(
                          ctxt, 'fail_value_error', amount=-5),
                      expect_error='ValueError', version='1.0', topic=topic)
        if want('S07'):
            self.step('S07', 'call', 'echo',
                      lambda: c.prepare(version='2.0').call(
                          ctxt, 'echo', value='x'),
                      expect_error='UnsupportedVersion', version='2.0',
                      topic=topic)
        if want('S08'):
            self.step('S08', 'call', 'reboot_instance',
                      lambda: c.prepare(version='1.0').call(
                          ctxt, 'reboot_instance', instance_id='i-1'),
                      expect_error='NoSuchMethod', version='1.0', topic=topic)
        if want('S09'):
            self.step('S09', 'call', 'get_stats',
                      lambda: c.prepare(namespace='admin', version='2.1').call(
                          ctxt, 'get_stats', detail=True),
                      version='2.1', namespace='admin', topic=topic)
        if want('S10'):
            # Call monitoring: the server sends an ending:false heartbeat
            # reply every _timeout/2 = 1 s while slow() runs.
            self.step('S10', 'call', 'slow',
                      lambda: c.prepare(version='1.0', timeout=30,
                                        call_monitor_timeout=2).call(
                          ctxt, 'slow', seconds=2.5),
                      version='1.0', topic=topic, timeout=30,
                      call_monitor_timeout=2)
        if want('S11'):
            # Raised on the client before anything is published.
            self.step('S11', 'call', 'echo',
                      lambda: c.prepare(version='1.3', version_cap='1.1').call(
                          ctxt, 'echo', value='capped'),
                      expect_error='RPCVersionCapError', version='1.3',
                      version_cap='1.1', topic=topic)
        if want('S12'):
            def pinned():
                pc = c.prepare(version_cap='1.1')
                version = '1.2' if pc.can_send_version('1.2') else '1.1'
                return pc.prepare(version=version).call(
                    ctxt, 'echo', value='pinned')
            self.step('S12', 'call', 'echo', pinned, version='1.1',
                      version_cap='1.1', topic=topic)
        if want('S13'):
            notifier = oslo_messaging.Notifier(
                self.notif_transport, publisher_id='compute.node-a',
                driver='messagingv2', topics=[self.opts.notifications])
            self.step('S13', 'notify', 'compute.instance.create.end',
                      lambda: notifier.info(
                          ctxt, 'compute.instance.create.end',
                          {'instance_id': 'i-1', 'state': 'active'}),
                      priority='INFO', topic=self.opts.notifications)
            self.step('S13', 'notify', 'compute.instance.create.error',
                      lambda: notifier.error(
                          ctxt, 'compute.instance.create.error',
                          {'instance_id': 'i-2', 'reason': 'No valid host'}),
                      priority='ERROR', topic=self.opts.notifications)
        if want('S14'):
            self.step('S14', 'call', 'echo',
                      lambda: c.prepare(version='1.0', server='node-z',
                                        timeout=2).call(
                          ctxt, 'echo', value='lost'),
                      expect_error='MessagingTimeout', version='1.0',
                      topic=topic, server='node-z', timeout=2)
        if want('S15'):
            legacy = oslo_messaging.Notifier(
                self.notif_transport, publisher_id='compute.node-a',
                driver='messaging', topics=[self.opts.notifications])
            self.step('S15', 'notify', 'compute.instance.delete.end',
                      lambda: legacy.info(ctxt, 'compute.instance.delete.end',
                                          {'instance_id': 'i-1'}),
                      priority='INFO', topic=self.opts.notifications,
                      driver='messaging')


def main(argv):
    opts = parse_args(argv)
    wanted = {s.strip() for s in opts.steps.split(',') if s.strip()}
    conf = common.make_conf(opts.exchange)
    common.emit({'event': 'client', 'pid': os.getpid(),
                 'topic': opts.topic, 'exchange': opts.exchange,
                 'request_id': opts.request_id})

    servers = Servers(opts)
    try:
        servers.wait_ready(timeout=60)
        # Both servers on the shared topic queue, so round robin alternates.
        common.wait_for_consumers(opts.transport_url, {opts.topic: 2})
        common.emit({'event': 'servers-ready',
                     'servers': [servers.ready[n] for n in SERVERS]})

        transport = common.rpc_transport(conf, opts.transport_url)
        notif_transport = common.notification_transport(
            conf, opts.transport_url)
        client = Client(opts, transport, notif_transport)
        client.run(wanted)
        # Let the listener and the fanout copies finish before stopping.
        time.sleep(max(opts.pause, 0.5))
        transport.cleanup()
        notif_transport.cleanup()
    finally:
        servers.stop()
    common.emit({'event': 'done', 'ok': not client.failures,
                 'failures': client.failures})
    return 0 if not client.failures else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
