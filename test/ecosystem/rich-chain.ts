// Certificates with everything node's peer-certificate object shows (multi-valued subject, SAN of every common form, AIA, EKU), made with the openssl CLI.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface RichChain {
  readonly rootPem: string
  /** Leaf then intermediate, per leaf kind. */
  readonly chains: Record<RichLeaf, { chainPem: string; keyPem: string }>
  dispose(): Promise<void>
}

export type RichLeaf = 'rsa' | 'ec' | 'ed25519'

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile('openssl', args, { cwd, timeout: 30_000 }, (error, _out, stderr) => (error ? reject(new Error(`openssl ${args.join(' ')}: ${stderr}`)) : resolve())),
  )
}

const leaves: Record<RichLeaf, { key: string[]; subject: string; extensions: string }> = {
  rsa: {
    key: ['-newkey', 'rsa:2048'],
    subject: '/C=DE/ST=Berlin/L=Berlin/O=Acme, Inc./OU=Web/OU=Ops/CN=localhost/emailAddress=ops@acme.example',
    extensions: [
      'basicConstraints = CA:FALSE',
      'extendedKeyUsage = serverAuth, clientAuth',
      'subjectAltName = DNS:localhost, DNS:*.acme.example, IP:127.0.0.1, IP:::1, email:ops@acme.example, URI:https://acme.example/',
      'authorityInfoAccess = OCSP;URI:http://ocsp.acme.example/, caIssuers;URI:http://ca.acme.example/int.crt',
    ].join('\n'),
  },
  ec: {
    key: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    subject: '/CN=localhost/O=Ünïcødé GmbH',
    extensions: 'subjectAltName = IP:127.0.0.1, DNS:localhost, DNS:quote\\"d.example\nextendedKeyUsage = serverAuth',
  },
  ed25519: {
    key: ['-newkey', 'ed25519'],
    subject: '/CN=localhost',
    extensions: 'subjectAltName = DNS:localhost',
  },
}

/** A P-384 root, a P-256 intermediate, and one leaf per kind under it, in a temp dir removed by dispose(). */
export async function makeRichChain(): Promise<RichChain> {
  const dir = await mkdtemp(join(tmpdir(), 'pure-tls-rich-'))
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-days', '30', '-subj', '/CN=Rich Root CA/O=pure-tls tests', '-addext', 'basicConstraints=critical,CA:TRUE'], dir)
  await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'int.key', '-out', 'int.csr', '-subj', '/CN=Rich Intermediate/O=pure-tls tests'], dir)
  await writeFile(join(dir, 'int.ext'), 'basicConstraints = critical, CA:TRUE, pathlen:0\nkeyUsage = critical, keyCertSign, cRLSign\n')
  await openssl(['x509', '-req', '-in', 'int.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial', '-out', 'int.pem', '-days', '30', '-extfile', 'int.ext'], dir)
  const intermediate = await readFile(join(dir, 'int.pem'), 'utf8')
  const chains = {} as RichChain['chains']
  for (const [kind, leaf] of Object.entries(leaves) as [RichLeaf, (typeof leaves)[RichLeaf]][]) {
    await openssl(['req', ...leaf.key, '-nodes', '-keyout', `${kind}.key`, '-out', `${kind}.csr`, '-subj', leaf.subject, '-utf8'], dir)
    await writeFile(join(dir, `${kind}.ext`), `${leaf.extensions}\n`)
    await openssl(['x509', '-req', '-in', `${kind}.csr`, '-CA', 'int.pem', '-CAkey', 'int.key', '-CAcreateserial', '-out', `${kind}.pem`, '-days', '30', '-extfile', `${kind}.ext`], dir)
    chains[kind] = { chainPem: (await readFile(join(dir, `${kind}.pem`), 'utf8')) + intermediate, keyPem: await readFile(join(dir, `${kind}.key`), 'utf8') }
  }
  return { rootPem: await readFile(join(dir, 'root.pem'), 'utf8'), chains, dispose: () => rm(dir, { recursive: true, force: true }) }
}
