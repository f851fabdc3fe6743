// Regenerates src/x509/roots/mozilla.ts from Node's tls.rootCertificates (Mozilla's CA set as Node bundles it).
import { writeFileSync } from 'node:fs'
import { rootCertificates } from 'node:tls'

const target = new URL('../src/x509/roots/mozilla.ts', import.meta.url)
const generated = new Date().toISOString().slice(0, 10)
const pems = rootCertificates.map((pem) => pem.trim().replace(/\r\n/g, '\n'))

const source = `// The Mozilla root certificates (Node's tls.rootCertificates), as PEM: a generated file, do not edit.
// Generated ${generated} by scripts/generate-roots.ts with Node ${process.version}: ${pems.length} certificates.
import { TrustStore } from '../trust-store.js'

export const mozillaRoots: readonly string[] = [
${pems.map((pem) => `  \`${pem}\`,`).join('\n')}
]

/** A fresh store holding the bundled Mozilla roots (parsed lazily, on first use of each). */
export function mozillaTrustStore(): TrustStore {
  return new TrustStore(mozillaRoots)
}
`

writeFileSync(target, source)
console.log(`wrote ${pems.length} roots to ${target.pathname}`)
