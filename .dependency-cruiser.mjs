// `npm run lint`: the import boundaries of README "Layout", checked on the import graph of firmware/ and hal/.
// Paths are relative to the working directory; every rule is an error.

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-app-to-app',
      comment: 'One device app never imports another: what two apps share belongs in a shared service under firmware/.',
      severity: 'error',
      from: { path: '^firmware/apps/([^/]+)/' },
      to: { path: '^firmware/apps/[^/]+/', pathNot: '^firmware/apps/$1/' },
    },
    {
      name: 'firmware-not-to-edge',
      comment: 'firmware/ runs on XS and Node alike: bindings are chosen at the entry point, never imported by firmware.',
      severity: 'error',
      from: { path: '^firmware/' },
      to: { path: '^(hal/host|hal/moddable|simulator|scripts|test)/' },
    },
    {
      name: 'firmware-only-relative',
      comment: 'firmware/ runs on XS: no Node built-ins or npm packages, only relative imports inside the repo.',
      severity: 'error',
      from: { path: '^firmware/' },
      // What does not resolve (an SDK module, a mistyped path) is not-to-unresolvable's, reported once.
      to: { dependencyTypesNot: ['local'], couldNotResolve: false },
    },
    {
      name: 'contract-only-itself',
      comment: 'The HAL contract is the bottom of the graph: it imports nothing but itself.',
      severity: 'error',
      from: { path: '^hal/contract/' },
      to: { pathNot: '^hal/contract/' },
    },
    {
      name: 'boards-only-contract',
      comment: 'Boards are data: they import the HAL contract and other boards only.',
      severity: 'error',
      from: { path: '^hal/boards/' },
      to: { pathNot: '^hal/(contract|boards)/' },
    },
    {
      name: 'bindings-apart',
      comment: 'The Node and Moddable bindings are alternatives: neither imports the other.',
      severity: 'error',
      from: { path: '^hal/(host|moddable)/' },
      to: { path: '^hal/(host|moddable)/', pathNot: '^hal/$1/' },
    },
    {
      name: 'services-not-to-apps',
      comment: 'Shared services serve every app, so they depend on none.',
      severity: 'error',
      from: { path: '^firmware/(parts|power|alarms|identity|lifecycle)/' },
      to: { path: '^firmware/apps/' },
    },
    {
      name: 'firmware-no-circular',
      comment: 'No import cycles inside firmware/ (module evaluation order would decide what is initialised).',
      severity: 'error',
      from: { path: '^firmware/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'An import that does not resolve would slip past every path rule above. hal/moddable is exempt: it imports ' +
        "the Moddable SDK's modules (embedded:*, mc/config, preference, flash, ...), which exist only in a device build.",
      severity: 'error',
      from: { pathNot: '^hal/moddable/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // `import type` counts too: a type from a binding ties firmware to it as much as a value does.
    tsPreCompilationDeps: true,
    progress: { type: 'none' },
  },
};
