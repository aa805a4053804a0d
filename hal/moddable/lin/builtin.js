// "embedded:provider/builtin" on the Linux simulator build. The stand-in itself (provider.ts) imports the HAL
// contract by relative path, which XS resolves against the importing module's specifier: under this
// specifier that would not be the folder tree, so it is loaded under its own path and re-exported here.
export { default } from "hal/moddable/lin/provider";
