// The HX711's two lines on the ESP32, for builds with a load cell (manifests/smart-bin.json, esp32 platform).
// hal/moddable/hx711.ts makes the io class from it (the protocol is hal/contract/hx711.ts); the natives are in
// hx711.c: `shift` clocks one whole read inside a critical section, `ready` never waits. The C uses modGPIO: the
// build's esp32 platform includes "$(MODULES)/pins/digital/manifest.json", as the SDK's own HX711 driver does.

class HX711Wire @ "xs_hx711_destructor" {
	/** Claims DOUT (`data`, an input) and PD_SCK (`clock`, an output, driven low). */
	constructor(data, clock) @ "xs_hx711_wire";
	/** DOUT is low: a conversion is waiting. */
	ready() @ "xs_hx711_ready";
	/** Clocks `pulses` (25–27) pulses and returns the first 24 bits, MSB first, unsigned. */
	shift(pulses) @ "xs_hx711_shift";
	close() @ "xs_hx711_close";
}

export default HX711Wire;
