// ESP-IDF's app rollback for the firmware binding (hal/moddable/firmware.ts): what the SDK does not do (it never
// marks an image valid). The natives are in ota-slots.c; writes go through the SDK's `flash` module ("nextota").

/** The running image's state: 0 valid (or rollback disabled), 1 pending verify, -1 not an OTA slot (factory). */
function runningState() @ "xs_ota_running_state";
/** esp_ota_mark_app_valid_cancel_rollback(): 0 done (or already valid), else the esp_err_t. */
function markValid() @ "xs_ota_mark_valid";
/** The version of the image the bootloader last rolled back from, or undefined when there is none. */
function lastInvalidVersion() @ "xs_ota_last_invalid_version";
/** esp_ota_set_boot_partition(next update partition): validates the image there; 0 done, else the esp_err_t. */
function activateNext() @ "xs_ota_activate_next";

export default Object.freeze({ runningState, markValid, lastInvalidVersion, activateNext });
