// Stand-in for "embedded:network/interface/wifi" on the Linux simulator build: the host is already on its
// network, so the interface reports an address as soon as asked to connect.
import Timer from 'timer';

type Changed = (property: 'connection' | 'address') => void;

export default class WiFi {
  #onChanged: Changed | undefined;
  #connection = 200;

  constructor(options: { onChanged?: Changed }) {
    this.#onChanged = options.onChanged;
  }

  get connection(): number {
    return this.#connection;
  }

  get address(): string | undefined {
    return this.#connection === 500 ? '127.0.0.1' : undefined;
  }

  get MAC(): string | undefined {
    return undefined;
  }

  connect(_options: { SSID: string; password?: string }): void {
    this.#connection = 300;
    Timer.set(() => {
      this.#connection = 500;
      this.#onChanged?.('connection');
    });
  }

  disconnect(): void {
    this.#connection = 200;
  }

  close(): void {
    this.#onChanged = undefined;
  }
}
