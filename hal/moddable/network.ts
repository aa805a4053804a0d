// The MQTT client's network configuration. The SDK's mqttclient/config module (preloaded by
// manifest_mqttclient.json) puts {io: MQTTClient, dns, socket} on device.network.mqtt, with a fixed public DNS
// server; a site LAN usually has its own, so the servers DHCP handed out (Net.get("DNS")) go first.
// mqttsclient/config (manifest_mqttsclient.json, via manifests/shared.json) adds device.network.mqtts, the same
// client over the SDK's ECMA-419 TLS socket: socket {io: TLSSocket, TCP: {io: TCP}}.
import Net from 'net';
import type { Mqtt419Network } from './mqtt.js';

interface DnsConfig {
  servers?: string[];
}

type NetworkName = 'mqtt' | 'mqtts';

export function mqttNetwork(): Mqtt419Network {
  const network = deviceNetwork('mqtt');
  if (!network) throw new Error('device.network.mqtt missing: include manifest_mqttclient.json');
  return withLanDns(network);
}

/** The TLS variant, or undefined when the build has no TLS (then secure connects fail with a clear reason). */
export function mqttsNetwork(): Mqtt419Network | undefined {
  const network = deviceNetwork('mqtts');
  return network ? withLanDns(network) : undefined;
}

function deviceNetwork(name: NetworkName): Mqtt419Network | undefined {
  return (globalThis as { device?: { network?: Partial<Record<NetworkName, Mqtt419Network>> } }).device?.network?.[name];
}

function withLanDns(network: Mqtt419Network): Mqtt419Network {
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
