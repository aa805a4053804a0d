// The whole NVS partition erased for the factory reset (hal/moddable/storage.ts, Storage.eraseKeyValue): deleting
// key by key through `preference` leaves the old values in flash until NVS reclaims their page. The native is in
// nvs-erase.c.

/** nvs_flash_erase_partition("nvs") then nvs_flash_init_partition("nvs"): 0 done (NVS empty and usable), else the esp_err_t. */
function eraseAll() @ "xs_nvs_erase_all";

export default Object.freeze({ eraseAll });
