/*
 * The whole NVS partition erased (see nvs-erase.js). Not compiled in this repository's CI (no ESP32 toolchain).
 * nvs_flash_erase_partition de-initialises the partition when it is initialised (the handles open on it become
 * invalid: the SDK's preference module opens one per call and holds none; the Wi-Fi driver's own is not used
 * again, as the device restarts right after), erases every sector, and nvs_flash_init_partition makes it usable
 * again, empty, for the few keys the factory reset writes back before the restart. "nvs" is the partition our
 * tables name (manifests/partitions-esp32*.csv) and the one lib/main/main.c initialises at boot.
 */
#include "xsmc.h"
#include "nvs_flash/include/nvs_flash.h"	/* as the SDK's modules: mcconfig puts $(IDF_PATH)/components on the path, not each component's include */

void xs_nvs_erase_all(xsMachine *the)
{
	esp_err_t err = nvs_flash_erase_partition(NVS_DEFAULT_PART_NAME);
	if (err == ESP_OK)
		err = nvs_flash_init_partition(NVS_DEFAULT_PART_NAME);
	xsmcSetInteger(xsResult, err);
}
