// The MQTT client's network configuration. The SDK's mqttclient/config module (preloaded by
// manifest_mqttclient.json) puts {io: MQTTClient, dns, socket} on device.network.mqtt, with a fixed public DNS
// server; a site LAN usually has its own, so the servers DHCP handed out (Net.get("DNS")) go first.
import Net from 'net';
import type { Mqtt419Network } from './mqtt.js';

interface DnsConfig {
  servers?: string[];
}

export function mqttNetwork(): Mqtt419Network {
  const network = (globalThis as { device?: { network?: { mqtt?: Mqtt419Network } } }).device?.network?.mqtt;
  if (!network) throw new Error('device.network.mqtt missing: include manifest_mqttclient.json');
  const dns = network.dns as DnsConfig;
  const servers = [...dhcpDnsServers(), ...(dns.servers ?? [])].filter((server, index, all) => all.indexOf(server) === index);
  return { io: network.io, socket: network.socket, dns: { ...dns, servers } };
}

function dhcpDnsServers(): string[] {
  try {
    const servers: unknown = Net.get('DNS');
    return Array.isArray(servers) ? servers.filter((server): server is string => typeof server === 'string' && server !== '0.0.0.0') : [];
  } catch {
    return []; // not every platform reports DNS servers
  }
}
