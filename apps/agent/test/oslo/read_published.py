#!/usr/bin/python3
"""Read messages back with py-amqp, the AMQP client under kombu and oslo.messaging.

Drains each --queue with basic_get and prints one JSON line per message:
  {"queue": "q", "properties": {...}, "headers": {...}, "body": "..."}
then {"event": "done", "read": N}. A message py-amqp cannot decode (a header
field type it reads differently from the publisher, as it reads amqplib's
16-bit integers as short strings) prints {"event": "error", "queue": ...,
"type": "IndexError", "message": ...} and the script exits 1: that is what an
oslo.messaging server would log as "Failed to consume message from queue".
"""

import argparse
import base64
import json
import sys
import urllib.parse

import amqp


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--transport-url', required=True)
    p.add_argument('--queue', action='append', required=True)
    return p.parse_args(argv)


def connect(url):
    u = urllib.parse.urlparse(url.replace('rabbit://', 'amqp://', 1))
    vhost = urllib.parse.unquote(u.path[1:]) if len(u.path) > 1 else '/'
    conn = amqp.Connection(
        host='%s:%d' % (u.hostname or '127.0.0.1', u.port or 5672),
        userid=urllib.parse.unquote(u.username or 'guest'),
        password=urllib.parse.unquote(u.password or 'guest'),
        virtual_host=vhost)
    conn.connect()
    return conn


def plain(value):
    """JSON-able form of what py-amqp decoded (bytes as text or base64)."""
    if isinstance(value, bytes):
        try:
            return value.decode('utf-8')
        except UnicodeDecodeError:
            return {'base64': base64.b64encode(value).decode('ascii')}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def main(argv):
    opts = parse_args(argv)
    conn = connect(opts.transport_url)
    channel = conn.channel()
    read = 0
    try:
        for queue in opts.queue:
            while True:
                try:
                    msg = channel.basic_get(queue=queue, no_ack=True)
                except Exception as e:  # what oslo's consumer would hit
                    print(json.dumps({'event': 'error', 'queue': queue,
                                      'type': type(e).__name__,
                                      'message': str(e)}), flush=True)
                    return 1
                if msg is None:
                    break
                props = dict(msg.properties)
                headers = props.pop('application_headers', None)
                body = msg.body
                print(json.dumps({
                    'queue': queue,
                    'properties': plain(props),
                    'headers': plain(headers),
                    'header_types': {str(k): type(v).__name__
                                     for k, v in (headers or {}).items()},
                    'body': plain(body),
                }), flush=True)
                read += 1
    finally:
        try:
            conn.close()
        except Exception:
            pass
    print(json.dumps({'event': 'done', 'read': read}), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
