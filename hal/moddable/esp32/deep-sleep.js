// Deep sleep on the ESP32 (ESP-IDF sleep API), for the SOS button's build only (manifests/sos-button.json,
// esp32 platform): the SDK's System.deepSleep is ESP8266-only. The natives are in deep-sleep.c; the HAL's
// System (hal/moddable/system.ts) validates arguments and maps the results, see DeepSleepNative there.

/** Arms the timer (ms > 0, else none) and ext1 on `mask` (bit n = GPIO n, 0: none) at `level`, stops Wi-Fi and powers down. */
function start(ms, mask, level) @ "xs_deep_sleep_start";
/** 1: woken by the timer, 2: by an ext1 pin, 0: not a deep-sleep wake or another source. */
function cause() @ "xs_deep_sleep_cause";
/** The ext1 pins that woke the chip, as a bit mask (a Number: GPIOs reach 39). */
function pins() @ "xs_deep_sleep_pins";

export default Object.freeze({ start, cause, pins });
