/*
 * ESP-IDF app rollback natives (see ota-slots.js). Not compiled in this repository's CI (no ESP32 toolchain): needs
 * CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y and a partition table with ota_0, ota_1 and otadata (no factory).
 */
#include "xsmc.h"
#include "app_update/include/esp_ota_ops.h"	/* as the SDK's modules: mcconfig puts $(IDF_PATH)/components on the path, not app_update/include */
#include "esp_app_desc.h"

#define STATE_VALID 0
#define STATE_PENDING 1
#define STATE_NOT_OTA -1

void xs_ota_running_state(xsMachine *the)
{
	const esp_partition_t *running = esp_ota_get_running_partition();
	esp_ota_img_states_t state;
	if (!running || running->subtype < ESP_PARTITION_SUBTYPE_APP_OTA_MIN || running->subtype > ESP_PARTITION_SUBTYPE_APP_OTA_MAX) {
		xsmcSetInteger(xsResult, STATE_NOT_OTA);
		return;
	}
	/* ESP_ERR_NOT_SUPPORTED (rollback off) or no otadata entry: the image is as good as valid. */
	if (esp_ota_get_state_partition(running, &state) != ESP_OK) {
		xsmcSetInteger(xsResult, STATE_VALID);
		return;
	}
	xsmcSetInteger(xsResult, state == ESP_OTA_IMG_PENDING_VERIFY ? STATE_PENDING : STATE_VALID);
}

void xs_ota_mark_valid(xsMachine *the)
{
	esp_err_t err = esp_ota_mark_app_valid_cancel_rollback();
	xsmcSetInteger(xsResult, err);
}

void xs_ota_last_invalid_version(xsMachine *the)
{
	const esp_partition_t *invalid = esp_ota_get_last_invalid_partition();
	esp_app_desc_t desc;
	if (!invalid || esp_ota_get_partition_description(invalid, &desc) != ESP_OK)
		return; /* undefined */
	desc.version[sizeof(desc.version) - 1] = 0;
	xsmcSetString(xsResult, desc.version);
}

void xs_ota_activate_next(xsMachine *the)
{
	const esp_partition_t *next = esp_ota_get_next_update_partition(NULL);
	esp_err_t err = next ? esp_ota_set_boot_partition(next) : ESP_ERR_NOT_FOUND;
	xsmcSetInteger(xsResult, err);
}
