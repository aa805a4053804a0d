// "embedded:network/interface/wifi" (ECMA-419 network interface) as the Moddable SDK 8.2 declares it
// ($(MODDABLE)/typings/embedded_network/interface/wifi.d.ts; ESP32 implementation
// $(MODDABLE)/modules/io/wifi/esp32/wifi-esp32.js). @moddable/typings 5.6 lacks it; only the members we use are
// copied here for tsconfig.moddable.json. mcconfig builds use the SDK's own declaration.
declare module 'embedded:network/interface/wifi' {
  export type WiFiChangedProperty = 'connection' | 'address';

  export interface WiFiConstructorOptions {
    onChanged?: (property: WiFiChangedProperty) => void;
  }

  export interface WiFiConnectOptions {
    SSID: string;
    password?: string;
  }

  class WiFi {
    constructor(options: WiFiConstructorOptions);
    close(): void;
    connect(options: WiFiConnectOptions): void;
    disconnect(): void;
    /** 200 disconnected, 300 connecting, 400 associated, 500 has an IP address. */
    readonly connection: number;
    readonly address: string | undefined;
    /** Station MAC, "aa:bb:cc:dd:ee:ff". */
    readonly MAC: string | undefined;
  }

  export default WiFi;
}
