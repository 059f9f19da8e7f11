"""Shared pieces of the oslo.messaging test scripts.

Everything here uses the real oslo.messaging (Debian's python3-oslo.messaging
14.0.3, run with /usr/bin/python3). Scripts print one JSON object per line on
stdout so the TypeScript test support can follow what happened client-side;
oslo's own logging goes to stderr.
"""

import json
import sys
import threading
import time
import urllib.parse

import amqp
from oslo_config import cfg
import oslo_messaging
from oslo_messaging import transport as oslo_transport
from oslo_messaging._metrics import client as oslo_metrics_client

# The request context every test script sends. The auth token is a fake
# Fernet-looking value so tests can check that the debugger redacts it.
AUTH_TOKEN = 'gAAAAABsecret-token-value'

_print_lock = threading.Lock()


def emit(obj):
    """Print one JSON line on stdout (thread-safe, flushed at once)."""
    line = json.dumps(obj, default=repr, sort_keys=False)
    with _print_lock:
        sys.stdout.write(line + '\n')
        sys.stdout.flush()


def make_conf(exchange):
    """A private ConfigOpts with control_exchange set to `exchange`.

    A private ConfigOpts (not cfg.CONF) keeps each script free of config files
    and command-line parsing by oslo.config.
    """
    conf = cfg.ConfigOpts()
    conf([], project='osloscope-test', default_config_files=[],
         default_config_dirs=[])
    conf.register_opts(oslo_transport._transport_opts)
    # The RPC client reads [oslo_messaging_metrics]; upstream registers it
    # only on the global cfg.CONF.
    conf.register_opts(oslo_metrics_client.oslo_messaging_metrics,
                       group='oslo_messaging_metrics')
    # Each RPC client starts a non-daemon metrics thread that lingers for
    # metrics_thread_stop_timeout (10 s) and delays exit; metrics are off.
    conf.set_override('metrics_thread_stop_timeout', 0,
                      group='oslo_messaging_metrics')
    conf.set_override('control_exchange', exchange)
    return conf


def rpc_transport(conf, url):
    return oslo_messaging.get_rpc_transport(conf, url=url)


def notification_transport(conf, url):
    return oslo_messaging.get_notification_transport(conf, url=url)


def request_context(request_id):
    """An oslo.context RequestContext like the fixture's, plus an auth token."""
    from oslo_context import context as oslo_context
    return oslo_context.RequestContext(
        user_id='demo-user', project_id='demo-project',
        request_id=request_id, auth_token=AUTH_TOKEN)


def context_summary(ctxt):
    """The few context fields worth echoing in JSON lines."""
    if isinstance(ctxt, dict):
        d = ctxt
    else:
        d = ctxt.to_dict() if hasattr(ctxt, 'to_dict') else {}
    return {k: d.get(k) for k in ('request_id', 'user', 'project_id')}


class DefaultEndpoint(object):
    """Default-namespace endpoint, version 1.3 (as in the fixture)."""

    target = oslo_messaging.Target(version='1.3')

    def __init__(self, server, recorder):
        self.server = server
        self.record = recorder

    def echo(self, ctxt, value):
        self.record('echo', {'value': value}, ctxt)
        return {'echo': value, 'served_by': self.server}

    def record_event(self, ctxt, event):
        self.record('record_event', {'event': event}, ctxt)

    def refresh_cache(self, ctxt, generation):
        self.record('refresh_cache', {'generation': generation}, ctxt)

    def fail_value_error(self, ctxt, amount):
        self.record('fail_value_error', {'amount': amount}, ctxt)
        raise ValueError('amount must be positive, got %s' % amount)

    def slow(self, ctxt, seconds):
        self.record('slow', {'seconds': seconds}, ctxt)
        time.sleep(float(seconds))
        return 'slept %s' % seconds


class AdminEndpoint(object):
    """'admin' namespace endpoint, version 2.1."""

    target = oslo_messaging.Target(namespace='admin', version='2.1')

    def __init__(self, server, recorder):
        self.server = server
        self.record = recorder

    def get_stats(self, ctxt, detail=False):
        self.record('get_stats', {'detail': detail}, ctxt)
        return {'host': self.server, 'detail': detail, 'instances': 3}


class NotificationEndpoint(object):
    """Records info and error notifications (the listener's side effect)."""

    def __init__(self, server, recorder):
        self.server = server
        self.record = recorder

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self.record('notification.info',
                    {'event_type': event_type, 'payload': payload}, ctxt)

    def error(self, ctxt, publisher_id, event_type, payload, metadata):
        self.record('notification.error',
                    {'event_type': event_type, 'payload': payload}, ctxt)


def broker_params(url):
    """(host:port, user, password, vhost) of the first host of a rabbit URL."""
    parsed = urllib.parse.urlsplit(url)
    netloc = parsed.netloc.split(',')[0]
    creds, _, hostport = netloc.rpartition('@')
    user, _, password = creds.partition(':')
    vhost = urllib.parse.unquote(parsed.path[1:]) if parsed.path else ''
    if ':' not in hostport.rsplit(']', 1)[-1]:
        hostport += ':5672'
    return (hostport, urllib.parse.unquote(user or 'guest'),
            urllib.parse.unquote(password or 'guest'), vhost or '/')


def wait_for_consumers(url, wanted, timeout=30.0):
    """Wait until each queue in `wanted` ({name: min consumers}) is consumed.

    A passive queue.declare returns the live consumer count (the management
    API's counts lag by seconds), so once this returns the servers really
    receive what the client sends next. Returns the counts seen last.
    """
    hostport, user, password, vhost = broker_params(url)
    conn = amqp.Connection(host=hostport, userid=user, password=password,
                           virtual_host=vhost)
    conn.connect()
    counts = {}
    deadline = time.monotonic() + timeout
    try:
        while True:
            for queue in wanted:
                ch = conn.channel()
                try:
                    counts[queue] = ch.queue_declare(queue, passive=True)[2]
                    ch.close()
                except amqp.exceptions.NotFound:
                    counts[queue] = 0  # not declared yet; channel is closed
            if all(counts[q] >= n for q, n in wanted.items()):
                return counts
            if time.monotonic() > deadline:
                raise TimeoutError('consumers not ready: %r' % counts)
            time.sleep(0.1)
    finally:
        conn.close()
