/*
 * Deep sleep for the SOS button on ESP32 (see deep-sleep.js): ESP-IDF's timer and ext1 wake-up sources,
 * esp_deep_sleep_start, and the wake-up cause after the next boot.
 */
#include "xsmc.h"
#include "esp_sleep.h"
#include "esp_wifi.h"

#define WAKE_NONE 0
#define WAKE_TIMER 1
#define WAKE_PIN 2

/* GPIOs are at most 39, so a bit mask fits a double exactly. */
static uint64_t maskFromNumber(double value)
{
	if (!(value >= 0) || (value >= 1099511627776.0)) /* 2^40 */
		return 0;
	return (uint64_t)value;
}

void xs_deep_sleep_start(xsMachine *the)
{
	double ms = xsmcToNumber(xsArg(0));
	uint64_t mask = maskFromNumber(xsmcToNumber(xsArg(1)));
	int level = xsmcToInteger(xsArg(2));
	esp_err_t err;

	esp_sleep_disable_wakeup_source(ESP_SLEEP_WAKEUP_ALL);
	if (ms > 0) {
		err = esp_sleep_enable_timer_wakeup((uint64_t)(ms * 1000.0));
		if (ESP_OK != err)
			xsUnknownError("deep sleep timer: %d", (int)err);
	}
	if (mask) {
		/* ext1 on the ESP32: "any pin high" or (mode 0) "all pins low"; the JavaScript side allows one low pin only. */
		err = esp_sleep_enable_ext1_wakeup(mask, level ? ESP_EXT1_WAKEUP_ANY_HIGH : (esp_sleep_ext1_wakeup_mode_t)0);
		if (ESP_OK != err)
			xsUnknownError("deep sleep wake pins: %d", (int)err);
	}
	esp_wifi_stop(); /* fails harmlessly when Wi-Fi never started */
	esp_deep_sleep_start(); /* does not return */
}

void xs_deep_sleep_cause(xsMachine *the)
{
	int cause = WAKE_NONE;
	switch (esp_sleep_get_wakeup_cause()) {
		case ESP_SLEEP_WAKEUP_TIMER:
			cause = WAKE_TIMER;
			break;
		case ESP_SLEEP_WAKEUP_EXT0:
		case ESP_SLEEP_WAKEUP_EXT1:
			cause = WAKE_PIN;
			break;
		default:
			break;
	}
	xsmcSetInteger(xsResult, cause);
}

void xs_deep_sleep_pins(xsMachine *the)
{
	xsmcSetNumber(xsResult, (double)esp_sleep_get_ext1_wakeup_status());
}
