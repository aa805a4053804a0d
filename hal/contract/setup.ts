// What an unprovisioned device offers its installer (firmware/lifecycle/setup.ts): a setup Wi-Fi access point with
// a tiny HTTP server for the setup page, a line console on the USB serial port, and the state of the station link
// joined at boot. Every member is optional: a build or a board has what its hardware and engine allow.

/** A network the access point's scan found (scanned before the AP starts: the one radio cannot do both well). */
export interface SetupNetwork {
  readonly ssid: string;
  /** dBm. */
  readonly rssi: number;
  /** WPA/WPA2: it needs a password. */
  readonly secure: boolean;
}

export interface SetupRequest {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  /** The body as text (the binding caps it at SETUP_BODY_MAX_BYTES and refuses longer ones with 413). */
  readonly body: string;
}

export interface SetupResponse {
  readonly status: number;
  readonly type: string;
  readonly body: string;
  readonly location?: string;
}

/** A code (≤ 4296 characters) and some form fields fit; anything longer is refused by the binding. */
export const SETUP_BODY_MAX_BYTES = 6 * 1024;

export interface SetupAccessPoint {
  /** Opens the setup network: WPA2 with `password` (8–63 characters, the label's secret), never open. */
  start(ssid: string, password: string): void;
  stop(): void;
  /** The networks around, as scanned before the access point started. */
  scan(): readonly SetupNetwork[];
  /** Every HTTP request on the access point goes to `handler` (one at a time). */
  serve(handler: (request: SetupRequest) => SetupResponse): void;
}

/** A line-oriented console (the USB serial port in release builds). Lines arrive without their line break. */
export interface SetupConsole {
  onLine(callback: (line: string) => void): void;
  write(text: string): void;
  close(): void;
}

/** The Wi-Fi station as joined at boot. */
export type StationState =
  | { readonly state: 'none' }
  | { readonly state: 'joining'; readonly ssid: string }
  | { readonly state: 'joined'; readonly ssid: string }
  | { readonly state: 'failed'; readonly ssid: string; readonly reason: string };

export interface Setup {
  readonly accessPoint?: SetupAccessPoint;
  readonly console?: SetupConsole;
  /** The station link; absent where the device has no Wi-Fi of its own (it shares the host's network). */
  station?(): StationState;
}
