// The setup services on the chip (hal/contract/setup.ts). NOT VERIFIED ON HARDWARE: nothing here has run on an
// ESP32 (docs/moddable.md, "Setup access point").
// - Access point: the SDK's old `wifi` module (WiFi.accessPoint, WiFi.scan) and its callback HTTP server. That
//   module keeps Wi-Fi state of its own beside the ECMA-419 station our WifiLink uses, so the two must not meet in
//   one boot (research: the 419 class is station-only and inits the driver itself): a device in setup boots
//   without WifiLink, scans first (the one radio cannot scan well while serving), then opens the AP with
//   `station: true` so that the proofs can join the network it was given.
// - Captive DNS: every name resolves to the access point (firmware/lifecycle/captive-dns.ts, over the ECMA-419 UDP
//   socket on port 53), so a phone that joins opens the setup page by itself. A DNS that cannot open (port taken)
//   leaves the page reachable at the address the label prints.
// - Console: UART0 is the DevKitC's USB bridge, free for the app only in release builds (debug builds give it to
//   xsbug, and opening it throws "in use"): lines of up to CONSOLE_LINE_MAX bytes, CR/LF ended.
import UDP from 'embedded:io/socket/udp';
import { Server } from 'http';
import Net from 'net';
import WiFi from 'wifi';
import type { SerialConstructor, Serial } from '../contract/io.js';
import type { SetupAccessPoint, SetupConsole, SetupNetwork, SetupRequest, SetupResponse } from '../contract/setup.js';
import { SETUP_BODY_MAX_BYTES } from '../contract/setup.js';
import { CONSOLE_LINE_MAX } from '../../firmware/lifecycle/setup-commands.js';
import { captiveDnsAnswer, ipv4Bytes } from '../../firmware/lifecycle/captive-dns.js';
import { utf8Decode, utf8Encode } from '../../firmware/lib/utf8.js';

const HTTP_STATUS = 2;
const HTTP_HEADERS_COMPLETE = 4;
const HTTP_REQUEST_COMPLETE = 6;
const HTTP_PREPARE_RESPONSE = 8;
const HTTP_RESPONSE_FRAGMENT = 9;
const SCAN_MAX = 16;
const DNS_PORT = 53;
/** ESP-IDF's default access point address, for when the interface does not say. */
const DEFAULT_AP_ADDRESS = '192.168.4.1';

export class ModdableAccessPoint implements SetupAccessPoint {
  #networks: SetupNetwork[] = [];
  #server: Server | undefined;
  #dns: UDP | undefined;
  #handler: ((request: SetupRequest) => SetupResponse) | undefined;
  #warn: (message: string) => void;

  constructor(warn: (message: string) => void) {
    this.#warn = warn;
  }

  /** Scans (station mode), then calls `done`: call before start(). */
  scanFirst(done: () => void): void {
    const found: SetupNetwork[] = [];
    WiFi.scan({}, (item) => {
      if (item === null) {
        this.#networks = found.sort((a, b) => b.rssi - a.rssi).slice(0, SCAN_MAX);
        done();
        return;
      }
      if (item.ssid && !found.some((network) => network.ssid === item.ssid)) found.push({ ssid: item.ssid, rssi: item.rssi, secure: item.authentication !== 'none' });
    });
  }

  start(ssid: string, password: string): void {
    if (password.length < 8 || password.length > 63) throw new RangeError('setup access point: the password has 8 to 63 characters');
    // `station` (APSTA) is the SDK's option, missing from @moddable/typings 5.6.
    WiFi.accessPoint({ ssid, password, station: true } as Parameters<typeof WiFi.accessPoint>[0]);
    const server = new Server({ port: 80 });
    const access = this;
    const callback = function (this: Record<string, unknown>, message: number, value1?: unknown, value2?: unknown): unknown {
      if (message === HTTP_STATUS) {
        this.path = String(value1).split('?')[0];
        this.method = String(value2);
      } else if (message === HTTP_HEADERS_COMPLETE) {
        return String;
      } else if (message === HTTP_REQUEST_COMPLETE) {
        this.body = typeof value1 === 'string' ? value1 : '';
      } else if (message === HTTP_PREPARE_RESPONSE) {
        const body = this.body as string | undefined ?? '';
        const answer: SetupResponse = body.length > SETUP_BODY_MAX_BYTES
          ? { status: 413, type: 'text/plain', body: 'too large' }
          : access.#handler?.({ method: this.method as string, path: this.path as string, body }) ?? { status: 503, type: 'text/plain', body: '' };
        // As UTF-8 bytes in fragments: given a string, http.js counts its UTF-16 units as the Content-Length and writes it
        // in one go, and the 3 KB page did not fit the socket's buffer (seen on the Linux build: headers, no body).
        const bytes = utf8Encode(answer.body);
        this.rest = bytes;
        return {
          status: answer.status,
          headers: ['Content-Type', answer.type, 'Cache-Control', 'no-store', 'Content-Length', String(bytes.length), ...(answer.location ? ['Location', answer.location] : [])],
          ...(bytes.length > 0 ? { body: true } : {}),
        };
      } else if (message === HTTP_RESPONSE_FRAGMENT) {
        // value1: the bytes the socket takes now; undefined ends the body.
        const rest = this.rest as Uint8Array | undefined;
        if (!rest || rest.length === 0) return undefined;
        const size = Math.min(rest.length, Math.max(1, Number(value1) || 0));
        this.rest = rest.subarray(size);
        return rest.slice(0, size).buffer;
      }
      return undefined;
    };
    // Typed by hand: the SDK's own declaration (mcconfig builds) lets the callback return neither String (body as
    // text), which http.js takes, nor fields on its `this`.
    server.callback = callback as unknown as Server['callback'];
    this.#server = server;
    this.#openDns();
  }

  stop(): void {
    this.#server?.close();
    this.#server = undefined;
    // close() is ECMA-419's; @moddable/typings' UDP leaves it out.
    (this.#dns as unknown as { close(): void } | undefined)?.close();
    this.#dns = undefined;
    WiFi.mode = WiFi.Mode.station;
  }

  scan(): readonly SetupNetwork[] {
    return this.#networks;
  }

  serve(handler: (request: SetupRequest) => SetupResponse): void {
    this.#handler = handler;
  }

  #openDns(): void {
    // The typings know only Net.get(what); the SDK's ESP32 net module takes the interface ("ap") second.
    const net = Net as unknown as { get(what: 'IP', which: 'ap'): string | undefined };
    let text = DEFAULT_AP_ADDRESS;
    try {
      const ap = net.get('IP', 'ap');
      if (ap && ipv4Bytes(ap)) text = ap;
    } catch {
      // no such interface yet: the default
    }
    const self = ipv4Bytes(text)!;
    try {
      this.#dns = new UDP({
        port: DNS_PORT,
        onReadable(this: UDP, packets: number) {
          for (let i = 0; i < packets; i++) {
            const packet = this.read();
            const answer = captiveDnsAnswer(new Uint8Array(packet), self);
            try {
              if (answer) this.write(answer, packet.address, packet.port);
            } catch {
              // The socket's buffers are full: the phone asks again.
            }
          }
        },
      });
    } catch (error) {
      this.#warn(`setup: no captive DNS (${error instanceof Error ? error.message : String(error)}): open http://${text}/ by hand`);
    }
  }
}

/** UART0 pins: ESP32 TX 1 / RX 3 (ESP32-S3: 43 / 44). */
export interface ConsolePins {
  readonly transmit: number;
  readonly receive: number;
}

export class ModdableSetupConsole implements SetupConsole {
  #serial: Serial;
  #line = new Uint8Array(CONSOLE_LINE_MAX);
  #length = 0;
  #overflow = false;
  #onLine: ((line: string) => void) | undefined;

  constructor(io: SerialConstructor, pins: ConsolePins) {
    this.#serial = new io({ port: 0, ...pins, baud: 115_200, onReadable: () => this.#readable() });
  }

  onLine(callback: (line: string) => void): void {
    this.#onLine = callback;
  }

  write(text: string): void {
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) < 0x80 ? text.charCodeAt(i) : 0x3f; // ASCII only: "?" for the rest
    this.#serial.write(bytes);
  }

  close(): void {
    this.#onLine = undefined;
    this.#serial.close();
  }

  #readable(): void {
    const data = this.#serial.read();
    if (data === undefined) return;
    for (const byte of new Uint8Array(data)) {
      if (byte === 0x0d || byte === 0x0a) {
        const length = this.#length;
        const overflow = this.#overflow;
        this.#length = 0;
        this.#overflow = false;
        if (overflow) this.write('error: line too long\n');
        else if (length > 0) this.#onLine?.(utf8Decode(this.#line.subarray(0, length)));
      } else if (this.#length === CONSOLE_LINE_MAX) this.#overflow = true;
      else this.#line[this.#length++] = byte;
    }
  }
}
