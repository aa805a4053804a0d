// The network the device's MQTT client (firmware/net/mqtt) runs on: the SDK's ECMA-419 TCP socket
// (embedded:io/socket/tcp), its UDP DNS resolver, and for MQTT over TLS its TLS socket over TCP
// (examples/io/tcp/tlssocket, embedded:io/socket/tcp/tls, with modules/crypt's TLS). The DNS servers DHCP handed
// out (Net.get("DNS")) go first: a site LAN usually has its own; a public one is the fallback.
import Net from 'net';
import TCP from 'embedded:io/socket/tcp';
import TLSSocket from 'embedded:io/socket/tcp/tls';
import UDP from 'embedded:io/socket/udp';
import Resolver from 'embedded:network/dns/resolver/udp';
import type { DnsConfig, TcpSocketConstructor } from '../contract/socket.js';
import type { MqttNetwork } from '../../firmware/net/mqtt/client.js';
import { tlsSocketConfig, type NativeTcpConstructor } from './tls-guard.js';

const FALLBACK_DNS = ['1.1.1.1', '8.8.8.8'];

export function mqttNetwork(): MqttNetwork {
  const servers = [...dhcpDnsServers(), ...FALLBACK_DNS].filter((server, index, all) => all.indexOf(server) === index);
  const dns: DnsConfig = { io: Resolver as unknown as DnsConfig['io'], servers, socket: { io: UDP } };
  return {
    dns,
    socket: { io: TCP as unknown as TcpSocketConstructor },
    secureSocket: (tls) => tlsSocketConfig(tls, TLSSocket as unknown as TcpSocketConstructor, TCP as unknown as NativeTcpConstructor),
  };
}

function dhcpDnsServers(): string[] {
  try {
    const servers: unknown = Net.get('DNS');
    return Array.isArray(servers) ? servers.filter((server): server is string => typeof server === 'string' && server !== '0.0.0.0') : [];
  } catch {
    return []; // not every platform reports DNS servers
  }
}
