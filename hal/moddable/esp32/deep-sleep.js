// Deep sleep on the ESP32 (ESP-IDF sleep API), for the SOS button's build only (manifests/sos-button.json,
// esp32 platform): the SDK's System.deepSleep is ESP8266-only. The natives are in deep-sleep.c; the HAL's
// System (hal/moddable/system.ts) validates arguments and maps the results, see DeepSleepNative there.

/**
 * Arms the timer (ms > 0, else none), ext1 on `mask` (bit n = GPIO n, 0: none) at `level` and, when `lowPin` is
 * given (>= 0), ext0 on that RTC GPIO at level 0 (then ext1's level must be 1: a button to ground beside INT1);
 * stops Wi-Fi and powers down.
 */
function start(ms, mask, level, lowPin) @ "xs_deep_sleep_start";
/** 1: woken by the timer, 2: by an ext1 pin, 0: not a deep-sleep wake or another source. */
function cause() @ "xs_deep_sleep_cause";
/** The pins that woke the chip (ext1's, or the ext0 pin), as a bit mask (a Number: GPIOs reach 39). */
function pins() @ "xs_deep_sleep_pins";
/** After a pin wake: the milliseconds the sleep's timer had left (-1: no timer armed, or not a pin wake). */
function timerLeft() @ "xs_deep_sleep_timer_left";

export default Object.freeze({ start, cause, pins, timerLeft });
