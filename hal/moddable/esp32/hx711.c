/*
 * The HX711's two lines on the ESP32 (see hx711.js): the shared protocol (hal/contract/hx711.ts) asks only
 * "is a conversion ready?" and "clock 25-27 pulses, return the 24 bits". The pulses run inside a critical
 * section: a task switch or an interrupt while the clock is high for more than 60 us would power the chip down
 * and lose the conversion. 27 pulses of about 2 us each keep interrupts off for some 60 us, never waiting for
 * DOUT: readiness is polled from JavaScript, so nothing here blocks (the SDK's modules/drivers/hx711 waits up to
 * a second and fixes the gain at build time).
 *
 * Verified: the protocol and the pulse counts, against the host model (test/drivers/hx711.test.ts). Not verified:
 * this file has not been compiled or run on an ESP32 here (no toolchain in CI); the timing follows the datasheet
 * (clock high and low >= 0.2 us, data valid <= 0.1 us after the rising edge, high < 50 us).
 */
#include "xsmc.h"
#include "xsHost.h"
#include "modGPIO.h"

typedef struct {
	modGPIOConfigurationRecord data;
	modGPIOConfigurationRecord clock;
} HX711WireRecord, *HX711Wire;

void xs_hx711_destructor(void *it)
{
	if (it) {
		HX711Wire wire = it;
		modGPIOUninit(&wire->clock);
		modGPIOUninit(&wire->data);
		c_free(wire);
	}
}

static HX711Wire wireOf(xsMachine *the)
{
	HX711Wire wire = xsmcGetHostData(xsThis);
	if (!wire)
		xsUnknownError("closed");
	return wire;
}

/* new HX711Wire(data, clock): DOUT as an input, PD_SCK as an output driven low (the chip keeps converting). */
void xs_hx711_wire(xsMachine *the)
{
	int data = xsmcToInteger(xsArg(0));
	int clock = xsmcToInteger(xsArg(1));
	HX711Wire wire;

	if ((data < 0) || (data > 39) || (clock < 0) || (clock > 33) || (data == clock))
		xsRangeError("invalid pin");
	wire = c_calloc(1, sizeof(HX711WireRecord));
	if (!wire)
		xsUnknownError("no memory");
	if (modGPIOInit(&wire->data, NULL, (uint8_t)data, kModGPIOInput)) {
		c_free(wire);
		xsUnknownError("can't use data pin");
	}
	if (modGPIOInit(&wire->clock, NULL, (uint8_t)clock, kModGPIOOutput)) {
		modGPIOUninit(&wire->data);
		c_free(wire);
		xsUnknownError("can't use clock pin");
	}
	modGPIOWrite(&wire->clock, 0);
	xsmcSetHostData(xsThis, wire);
}

/* ready(): DOUT low means a conversion is waiting. */
void xs_hx711_ready(xsMachine *the)
{
	HX711Wire wire = wireOf(the);
	xsmcSetBoolean(xsResult, 0 == modGPIORead(&wire->data));
}

/* shift(pulses): 25-27 clock pulses; the first 24 bits read, MSB first, as an unsigned integer. */
void xs_hx711_shift(xsMachine *the)
{
	HX711Wire wire = wireOf(the);
	int pulses = xsmcToInteger(xsArg(0));
	uint32_t bits = 0;
	int i;

	if ((pulses < 25) || (pulses > 27))
		xsRangeError("pulses must be 25 to 27");
	modCriticalSectionBegin();
	for (i = 0; i < pulses; i++) {
		modGPIOWrite(&wire->clock, 1);
		modDelayMicroseconds(1);
		if (i < 24)
			bits = (bits << 1) | (modGPIORead(&wire->data) & 1);
		modGPIOWrite(&wire->clock, 0);
		modDelayMicroseconds(1);
	}
	modCriticalSectionEnd();
	xsmcSetInteger(xsResult, (xsIntegerValue)bits);
}

void xs_hx711_close(xsMachine *the)
{
	HX711Wire wire = xsmcGetHostData(xsThis);
	if (!wire)
		return;
	xsmcSetHostData(xsThis, NULL);
	xs_hx711_destructor(wire);
}
