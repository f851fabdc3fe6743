// After the build: a CommonJS-flavoured twin (.d.cts) of every .d.ts in dist, for TypeScript consumers that require().
//
// The package ships one implementation, ESM, which Node 20.19+ also serves to require() (require(esm)). TypeScript
// under `module: node16` refuses to let a CommonJS file import a declaration file it sees as ESM (TS1479), so the
// exports map's `require` condition points at these twins instead: the same declarations, with their relative
// imports renamed `.js` -> `.cjs` so that TypeScript resolves them to the neighbouring `.d.cts` files.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** `from './x.js'`, `import('./x.js')` and `import './x.js'` with a relative specifier. */
const RELATIVE_JS_SPECIFIER = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.js(['"])/g

/** The declaration text with its relative `.js` specifiers pointing at `.cjs` twins. */
function toCommonJsDeclaration(text: string): string {
  return text.replace(RELATIVE_JS_SPECIFIER, '$1$2.cjs$3')
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
