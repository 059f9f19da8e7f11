/** Remote exceptions the simulated services raise, serialized as oslo does (§4.5). */
import type { RemoteFailure } from '@osloscope/shared';

const OSLO = '/usr/lib/python3/dist-packages/oslo_messaging/rpc';
const NOVA = '/usr/lib/python3/dist-packages/nova';

const DISPATCH_FRAMES = [`  File "${OSLO}/server.py", line 165, in _process_incoming\n    res = self.dispatcher.dispatch(message)\n`];
const ENDPOINT_FRAMES = [
  ...DISPATCH_FRAMES,
  `  File "${OSLO}/dispatcher.py", line 309, in dispatch\n    return self._do_dispatch(endpoint, method, ctxt, args)\n`,
  `  File "${OSLO}/dispatcher.py", line 229, in _do_dispatch\n    result = func(ctxt, **new_args)\n`,
];

function failure(module: string, cls: string, message: string, frames: string[], kwargs: Record<string, unknown> = {}): RemoteFailure {
  return {
    class: cls,
    module,
    message,
    traceback: ['Traceback (most recent call last):\n', ...frames, `${module}.${cls}: ${message}\n`],
    args: [message],
    kwargs,
  };
}

/** A server on an older release does not implement the requested version (rolling upgrade). */
export function unsupportedVersion(version: string, method: string): RemoteFailure {
  return failure('oslo_messaging.rpc.dispatcher', 'UnsupportedVersion', `Endpoint does not support RPC version ${version}. Attempted method: ${method}`, [
    ...DISPATCH_FRAMES,
    `  File "${OSLO}/dispatcher.py", line 316, in dispatch\n    raise UnsupportedVersion(version, method=method)\n`,
  ]);
}

export function noSuchMethod(method: string): RemoteFailure {
  return failure('oslo_messaging.rpc.dispatcher', 'NoSuchMethod', `Endpoint does not support RPC method ${method}`, [
    ...DISPATCH_FRAMES,
    `  File "${OSLO}/dispatcher.py", line 312, in dispatch\n    raise NoSuchMethod(method)\n`,
  ]);
}

export function noValidHost(): RemoteFailure {
  const reason = 'There are not enough hosts available.';
  return failure(
    'nova.exception',
    'NoValidHost',
    `No valid host was found. ${reason}`,
    [...ENDPOINT_FRAMES, `  File "${NOVA}/scheduler/manager.py", line 244, in select_destinations\n    raise exception.NoValidHost(reason=reason)\n`],
    { code: 500, reason },
  );
}

export function instanceNotFound(instanceId: string): RemoteFailure {
  return failure(
    'nova.exception',
    'InstanceNotFound',
    `Instance ${instanceId} could not be found.`,
    [
      ...ENDPOINT_FRAMES,
      `  File "${NOVA}/compute/manager.py", line 7021, in get_vnc_console\n    instance = objects.Instance.get_by_uuid(context, instance_uuid)\n`,
      `  File "${NOVA}/objects/instance.py", line 541, in get_by_uuid\n    raise exception.InstanceNotFound(instance_id=uuid)\n`,
    ],
    { code: 404, instance_id: instanceId },
  );
}
