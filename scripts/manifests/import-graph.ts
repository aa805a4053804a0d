// The modules a device build needs: its roots and what they import at run time, followed through relative
// imports. A specifier that does not start with `.` (embedded:*, mc/*, preference, flash, timer, ...) is the SDK's
// or a manifest mapping's, and is not followed. Imports that tsc erases do not count: mcconfig compiles each module
// with `module: "preserve"` and no verbatimModuleSyntax, so `import type`, `export type` and named imports or
// re-exports whose every name is marked `type` leave no import in the compiled module.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** A module of the tree, by its specifier (path from the project root, no extension) and its source file. */
export interface SourceModule {
  readonly specifier: string;
  readonly file: string;
}

function isErasedImport(declaration: ts.ImportDeclaration): boolean {
  const clause = declaration.importClause;
  if (!clause) return false;
  if (clause.phaseModifier === ts.SyntaxKind.TypeKeyword) return true;
  const bindings = clause.namedBindings;
  return !clause.name && bindings !== undefined && ts.isNamedImports(bindings)
    && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

function isErasedExport(declaration: ts.ExportDeclaration): boolean {
  if (declaration.isTypeOnly) return true;
  const clause = declaration.exportClause;
  return clause !== undefined && ts.isNamedExports(clause)
    && clause.elements.length > 0 && clause.elements.every((element) => element.isTypeOnly);
}

/** The specifiers a module imports at run time: static imports and re-exports tsc keeps, and `import('...')`. */
export function runtimeSpecifiers(file: string, text: string): string[] {
  const kind = file.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!isErasedImport(node)) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!isErasedExport(node)) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteralLike(argument)) specifiers.push(argument.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** The source file behind a path without extension, or behind a `.js` specifier (the TypeScript source first). */
export function sourceFileOf(path: string): string | undefined {
  const base = path.endsWith('.js') ? path.slice(0, -3) : path;
  return [`${base}.ts`, `${base}.js`].find(isFile);
}

function moduleOf(root: string, file: string): SourceModule {
  const path = relative(root, file);
  if (path.startsWith('..')) throw new Error(`${file}: outside the project`);
  return { specifier: path.slice(0, path.lastIndexOf('.')).split(sep).join('/'), file };
}

/** Every module reachable from the root files by run-time relative imports, roots included, keyed by specifier. */
export function reachableModules(root: string, rootFiles: readonly string[]): Map<string, SourceModule> {
  const found = new Map<string, SourceModule>();
  const pending = rootFiles.map((file) => moduleOf(root, file));
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (found.has(next.specifier)) continue;
    found.set(next.specifier, next);
    for (const specifier of runtimeSpecifiers(next.file, readFileSync(next.file, 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      const file = sourceFileOf(resolve(dirname(next.file), specifier));
      if (!file) throw new Error(`${relative(root, next.file)}: cannot find '${specifier}'`);
      pending.push(moduleOf(root, file));
    }
  }
  return found;
}
