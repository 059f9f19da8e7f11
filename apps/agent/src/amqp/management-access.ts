/**
 * Which management API to talk to: `--management-url` when given, else the management
 * port of the broker host the source is connected to (so it follows failover). Basic
 * auth uses that host's transport URL credentials unless the management URL has its own.
 */
import { managementUrlFor, type TransportUrl } from '@osloscope/shared';
import { createManagementClient, splitManagementUrl, type ManagementClient } from './management-client.js';

export interface ManagementAccess {
  clientFor(hostIndex: number): ManagementClient;
}

export function createManagementAccess(url: TransportUrl, managementUrl?: string, timeoutMs = 5000): ManagementAccess {
  const cache = new Map<number, ManagementClient>();
  return {
    clientFor(hostIndex) {
      // With an explicit URL there is one endpoint for every host; the credentials still
      // come from the current host unless the URL carries its own.
      const key = managementUrl ? -1 - hostIndex : hostIndex;
      let client = cache.get(key);
      if (!client) {
        const host = url.hosts[hostIndex] ?? url.hosts[0]!;
        const own = managementUrl ? splitManagementUrl(managementUrl) : null;
        client = createManagementClient({
          baseUrl: managementUrl ?? managementUrlFor(url, url.hosts[hostIndex] ? hostIndex : 0),
          username: own?.username ?? host.username,
          password: own?.password ?? host.password,
          timeoutMs,
        });
        cache.set(key, client);
      }
      return client;
    },
  };
}
