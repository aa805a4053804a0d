// Stand-in for the SDK's old "wifi" module on the Linux simulator build, for a boot in setup
// (hal/moddable/setup-boot.ts). The SDK's simulated one ends a scan with `undefined` instead of null and refuses
// an access point once the station mode is set, so the setup boot could not run on it. Here a scan finds one
// network, the access point only traces, and a station "joins" the host's network on the next turn.
import Timer from 'timer';

type Notify = (message: 'connect' | 'gotIP' | 'lostIP' | 'disconnect') => void;
type ScanItem = { ssid: string; authentication: string; rssi: number; bssid: ArrayBuffer };

const HOST_NETWORK: ScanItem = Object.freeze({ ssid: 'host-network', authentication: 'wpa2_psk', rssi: -50, bssid: new ArrayBuffer(6) });

export default class WiFi {
  static readonly gotIP = 'gotIP' as const;
  static readonly lostIP = 'lostIP' as const;
  static readonly connected = 'connect' as const;
  static readonly disconnected = 'disconnect' as const;
  static readonly Mode = Object.freeze({ off: -5 as const, none: 0 as const, station: 1 as const, accessPoint: 2 as const });
  static mode = 0;

  #notify: Notify | undefined;

  constructor(options?: { ssid: string; password?: string }, notify?: Notify) {
    this.#notify = notify;
    if (!options) return;
    Timer.set(() => {
      this.#notify?.(WiFi.connected);
      this.#notify?.(WiFi.gotIP);
    });
  }

  close(): void {
    this.#notify = undefined;
  }

  static scan(_options: object, callback: (item: ScanItem | null) => void): void {
    Timer.set(() => {
      callback({ ...HOST_NETWORK });
      callback(null);
    });
  }

  static accessPoint(options: { ssid: string }): void {
    trace(`[sim] setup access point "${options.ssid}"\n`);
  }

  static connect(): void {}
  static disconnect(): void {}
}
