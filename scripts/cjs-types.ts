// After the build: a CommonJS-flavoured twin (.d.cts) of every .d.ts in dist, for TypeScript consumers that require().
//
// The package ships one implementation, ESM, which Node 20.19+ also serves to require() (require(esm)). TypeScript
// under `module: node16` refuses to let a CommonJS file import a declaration file it sees as ESM (TS1479), so the
// exports map's `require` condition points at these twins instead: the same declarations, with their relative
// imports renamed `.js` -> `.cjs` so that TypeScript resolves them to the neighbouring `.d.cts` files, and their
// imports of ESM-only dependencies (asn1js, @noble/*) made type-only with `resolution-mode: import` (TS 5.3+).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** `from './x.js'`, `import('./x.js')` and `import './x.js'` with a relative specifier. */
const RELATIVE_JS_SPECIFIER = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.js(['"])/g

/** `import … from 'package'` of a dependency (not relative, not a Node built-in), one statement per line as tsc emits it. */
const DEPENDENCY_IMPORT = /^import (?!type )(.+) from '((?!\.|node:)[^']+)';$/gm
/** `import("package")` in a type position, for a dependency. */
const DEPENDENCY_IMPORT_TYPE = /import\("((?!\.|node:)[^"]+)"\)/g
const AS_ESM = `{ 'resolution-mode': 'import' }`

/** A dependency import as a type-only import resolved the ESM way (declarations use dependencies only as types). */
function typeOnlyImport(_match: string, clause: string, specifier: string): string {
  return `import type ${clause.replace(/\btype /g, '')} from '${specifier}' with ${AS_ESM};`
}

/** The declaration text as CommonJS declarations: `.cjs` twins for our files, ESM resolution for dependencies. */
function toCommonJsDeclaration(text: string): string {
  return text
    .replace(RELATIVE_JS_SPECIFIER, '$1$2.cjs$3')
    .replace(DEPENDENCY_IMPORT, typeOnlyImport)
    .replace(DEPENDENCY_IMPORT_TYPE, `import("$1", { with: ${AS_ESM} })`)
}

function declarationFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return declarationFiles(path)
    return name.endsWith('.d.ts') ? [path] : []
  })
}

function main(dist: string): void {
  const files = declarationFiles(dist)
  for (const file of files) writeFileSync(file.replace(/\.d\.ts$/, '.d.cts'), toCommonJsDeclaration(readFileSync(file, 'utf8')))
  console.log(`wrote ${files.length} .d.cts declaration files beside the .d.ts in ${dist}`)
}

const dist = process.argv[2]
if (dist === undefined) {
  console.error('usage: tsx scripts/cjs-types.ts DIST_DIR')
  process.exit(2)
}
main(dist)
