/*
 * Deep sleep for the SOS button on ESP32 (see deep-sleep.js): ESP-IDF's timer, ext1 and ext0 wake-up sources,
 * esp_deep_sleep_start, and the wake-up cause after the next boot. ext1 wakes on "any pin high" or "all pins
 * low", so a button to ground (low) and the accelerometer's INT1 (high) cannot share it: with pins at level 1
 * in ext1, the one low pin goes on ext0 (one RTC GPIO at either level; it keeps the RTC peripherals powered).
 */
#include "xsmc.h"
#include "esp_sleep.h"
#include "esp_wifi.h"
#include "driver/rtc_io.h"
#include "esp_attr.h"
#include <sys/time.h>

#define WAKE_NONE 0
#define WAKE_TIMER 1
#define WAKE_PIN 2

/* The ext0 pin of the last sleep (-1: none): ESP-IDF reports an ext0 wake without its pin. Kept in RTC memory. */
static RTC_DATA_ATTR int ext0Pin = -1;

/*
 * When the timer of the last sleep was due, in microseconds of the system time (-1: no timer). ESP-IDF keeps the
 * system time across deep sleep on the RTC timer, so after a pin wake the time the timer had left is known.
 */
static RTC_DATA_ATTR int64_t timerDueUs = -1;

static int64_t nowUs(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return ((int64_t)tv.tv_sec * 1000000) + tv.tv_usec;
}

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
	/* Optional: a GPIO that wakes the chip at level 0 on ext0, beside ext1's level-1 pins (-1 or absent: none). */
	int lowPin = (xsmcArgc > 3) ? xsmcToInteger(xsArg(3)) : -1;
	esp_err_t err;

	esp_sleep_disable_wakeup_source(ESP_SLEEP_WAKEUP_ALL);
	ext0Pin = -1;
	timerDueUs = -1;
	if (lowPin >= 0) {
		if (!rtc_gpio_is_valid_gpio(lowPin))
			xsRangeError("deep sleep: GPIO %d is not an RTC GPIO", lowPin);
		if (mask && !level)
			xsRangeError("deep sleep: ext1 pins with an ext0 pin must wake at level 1");
		err = esp_sleep_enable_ext0_wakeup((gpio_num_t)lowPin, 0);
		if (ESP_OK != err)
			xsUnknownError("deep sleep ext0 pin: %d", (int)err);
		ext0Pin = lowPin;
	}
	if (ms > 0) {
		err = esp_sleep_enable_timer_wakeup((uint64_t)(ms * 1000.0));
		if (ESP_OK != err)
			xsUnknownError("deep sleep timer: %d", (int)err);
		timerDueUs = nowUs() + (int64_t)(ms * 1000.0);
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
	double pins = (double)esp_sleep_get_ext1_wakeup_status();
	/* ext0 does not say which pin: it is the one armed before the sleep. */
	if ((ESP_SLEEP_WAKEUP_EXT0 == esp_sleep_get_wakeup_cause()) && (ext0Pin >= 0))
		pins += (double)(1ULL << ext0Pin);
	xsmcSetNumber(xsResult, pins);
}

void xs_deep_sleep_timer_left(xsMachine *the)
{
	esp_sleep_wakeup_cause_t cause = esp_sleep_get_wakeup_cause();
	double left = -1;
	if (((ESP_SLEEP_WAKEUP_EXT0 == cause) || (ESP_SLEEP_WAKEUP_EXT1 == cause)) && (timerDueUs >= 0)) {
		int64_t us = timerDueUs - nowUs();
		left = (us > 0) ? (double)(us / 1000) : 0;
	}
	xsmcSetNumber(xsResult, left);
}
