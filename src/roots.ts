// `import 'pure-tls/roots'`: makes the bundled Mozilla root set the trust anchors of client contexts given no `ca`.
import { setDefaultTrustStore } from './handshake/context.js'
import { mozillaTrustStore } from './x509/roots/mozilla.js'

setDefaultTrustStore(mozillaTrustStore)
