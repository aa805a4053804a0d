// The reference platform (docs/protocol.md's platform side): see platform.ts and README.md here.
export * from './platform.js';
export { toCsv, csvField } from './csv.js';
export { refuseTransition } from './incidents.js';
