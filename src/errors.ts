// The error types of pure-tls: every failure is a TlsError carrying the alert that was or will be sent.

/** Alert descriptions (RFC 8446 section 6, RFC 5246 section 7.2, RFC 7301, RFC 5746). */
export const AlertDescription = {
  /** The sender will send no more data (RFC 8446 section 6.1); a closure, not an error. */
  close_notify: 0,
  /** An inappropriate message, e.g. out of order (RFC 8446 section 6.2). */
  unexpected_message: 10,
  /** A record failed to decrypt or authenticate. */
  bad_record_mac: 20,
  /** A record longer than the protocol allows (2^14 bytes of plaintext, plus expansion). */
  record_overflow: 22,
  /** No acceptable set of parameters (suites, groups, versions) was found. */
  handshake_failure: 40,
  /** A certificate was corrupt, had a bad signature, or did not name the server. */
  bad_certificate: 42,
  /** A certificate of an unsupported type or with an unusable key usage. */
  unsupported_certificate: 43,
  /** A certificate was revoked by its signer. */
  certificate_revoked: 44,
  /** A certificate has expired or is not yet valid. */
  certificate_expired: 45,
  /** Some other unspecified issue with a certificate. */
  certificate_unknown: 46,
  /** A field in the handshake was incorrect or inconsistent with other fields. */
  illegal_parameter: 47,
  /** The chain did not lead to a trusted certificate authority. */
  unknown_ca: 48,
  /** A valid certificate or PSK was received, but access was refused. */
  access_denied: 49,
  /** A message could not be decoded (a field out of range, a wrong length). */
  decode_error: 50,
  /** A handshake cryptographic operation failed: a signature or Finished that does not verify. */
  decrypt_error: 51,
  /** The peer offered or chose a version we do not accept. */
  protocol_version: 70,
  /** The peer requires parameters more secure than the ones offered. */
  insufficient_security: 71,
  /** An error unrelated to the peer or the protocol (also: what a local misuse reports). */
  internal_error: 80,
  /** A fallback retry was refused (TLS_FALLBACK_SCSV, RFC 7507). */
  inappropriate_fallback: 86,
  /** The handshake was canceled for a reason unrelated to a protocol failure. */
  user_canceled: 90,
  /** Renegotiation refused (RFC 5746); pure-tls never renegotiates. */
  no_renegotiation: 100,
  /** A mandatory extension is missing (RFC 8446 section 9.2). */
  missing_extension: 109,
  /** An extension the receiver did not offer or may not receive in this message. */
  unsupported_extension: 110,
  /** No server is known by the name in server_name (RFC 6066 section 3). */
  unrecognized_name: 112,
  /** An invalid or unacceptable OCSP response (RFC 6066 section 8). */
  bad_certificate_status_response: 113,
  /** No acceptable PSK identity was offered (RFC 4279, RFC 8446 section 4.2.11). */
  unknown_psk_identity: 115,
  /** A certificate was required (a server with verifyMode required) but none was sent. */
  certificate_required: 116,
  /** No ALPN protocol in common (RFC 7301 section 3.2). */
  no_application_protocol: 120,
} as const

/** An alert by its RFC name, e.g. `'handshake_failure'`. */
export type AlertName = keyof typeof AlertDescription

const alertNames = new Map<number, AlertName>(
  Object.entries(AlertDescription).map(([name, code]) => [code, name as AlertName]),
)

/** The name of an alert code, or `unknown(N)` for codes no RFC we implement defines. */
export function alertName(code: number): string {
  return alertNames.get(code) ?? `unknown(${code})`
}

/** The base class: `alert` is what this side sends (or sent) because of the error; `code` is stable. */
export class TlsError extends Error {
  /** The alert this side sent, or will send, because of the error (for a received alert: the one received). */
  readonly alert: AlertName
  /**
   * A stable identifier to branch on: `ERR_TLS_<ALERT>` for protocol errors, or one of `ERR_TLS_CONFIG`,
   * `ERR_TLS_POLICY`, `ERR_TLS_CERT_VERIFY`, `ERR_TLS_ALERT_RECEIVED`, `ERR_TLS_TRANSPORT`, `ERR_TLS_CONNECTION_CLOSED`,
   * `ERR_TLS_HANDSHAKE_TIMEOUT`, `ERR_TLS_NOT_READY`, `ERR_TLS_WRITE_AFTER_CLOSE`.
   */
  readonly code: string
  constructor(alert: AlertName, message: string, code: string = `ERR_TLS_${alert.toUpperCase()}`) {
    super(message)
    this.name = 'TlsError'
    this.alert = alert
    this.code = code
  }
}

/** The peer sent a fatal alert (or close_notify arrived where it ends the connection abnormally). */
export class TlsAlertReceivedError extends TlsError {
  /** The description the peer sent, by name when we know it. */
  readonly received: string
  /** The alert's description code as it arrived on the wire (RFC 8446 section 6). */
  readonly receivedCode: number
  constructor(code: number) {
    const name = alertName(code)
    // We send nothing back after a fatal alert; `alert` mirrors what the peer sent so callers can branch on it.
    super(alertNames.has(code) ? (name as AlertName) : 'internal_error', `peer sent fatal alert ${name}`, 'ERR_TLS_ALERT_RECEIVED')
    this.name = 'TlsAlertReceivedError'
    this.received = name
    this.receivedCode = code
  }
}

/** A configuration mistake, thrown when a context or connection is built, never during a handshake. */
export class TlsConfigError extends TlsError {
  /** The option that is wrong, e.g. `'minVersion'` or `'certificates[1].key'`. */
  readonly option: string
  constructor(option: string, message: string) {
    super('internal_error', `${option}: ${message}`, 'ERR_TLS_CONFIG')
    this.name = 'TlsConfigError'
    this.option = option
  }
}

/** A handshake refused by a policy constraint: it names the constraint, what was offered, what is allowed. */
export class TlsPolicyError extends TlsError {
  /** The constraint that refused, as the policy table names it: `'versions'`, `'cipher suites'`, `'groups'`, … */
  readonly constraint: string
  /** What the peer offered or chose (at most 12 items named). */
  readonly offered: string
  /** What the policy allows. */
  readonly allowed: string
  constructor(constraint: string, alert: AlertName, offered: string, allowed: string, detail?: string) {
    super(
      alert,
      `policy constraint "${constraint}" refused the peer: offered ${offered}; allowed ${allowed}${detail ? ` (${detail})` : ''}`,
      'ERR_TLS_POLICY',
    )
    this.name = 'TlsPolicyError'
    this.constraint = constraint
    this.offered = offered
    this.allowed = allowed
  }
}

/** Why a certificate chain or name was refused (Python's SSLCertVerificationError.verify_code is the model). */
export type CertificateFailureReason =
  | 'expired'
  | 'not-yet-valid'
  | 'unknown-issuer'
  | 'bad-signature'
  | 'not-a-ca'
  | 'path-length'
  | 'name-constraints'
  | 'bad-eku'
  | 'bad-key-usage'
  | 'hostname-mismatch'
  | 'unhandled-critical-extension'
  | 'malformed'
  | 'unsupported-algorithm'
  | 'too-many-paths'
  | 'too-deep'
  | 'ca-as-leaf'
  | 'no-certificate'
  | 'pinned-mismatch'
  | 'too-many-name-checks'
  | 'bad-name-constraints'
  | 'bad-basic-constraints'
  | 'bad-key-identifier'
  | 'bad-subject'
  | 'bad-subject-alt-name'
  | 'bad-common-name'
  | 'bad-policy-extension'
  | 'bad-serial-number'
  | 'bad-rsa-modulus'
  | 'client-name-mismatch'

const certificateAlerts: Record<CertificateFailureReason, AlertName> = {
  expired: 'certificate_expired',
  'not-yet-valid': 'certificate_expired',
  'unknown-issuer': 'unknown_ca',
  'bad-signature': 'bad_certificate',
  'not-a-ca': 'bad_certificate',
  'path-length': 'bad_certificate',
  'name-constraints': 'bad_certificate',
  'bad-eku': 'unsupported_certificate',
  'bad-key-usage': 'unsupported_certificate',
  'hostname-mismatch': 'bad_certificate',
  'unhandled-critical-extension': 'unsupported_certificate',
  malformed: 'bad_certificate',
  'unsupported-algorithm': 'unsupported_certificate',
  'too-many-paths': 'bad_certificate',
  'too-deep': 'bad_certificate',
  'ca-as-leaf': 'bad_certificate',
  'no-certificate': 'certificate_required',
  'pinned-mismatch': 'bad_certificate',
  // Name-constraint checking would cost more than its budget (names x subtrees): refused, like too-many-paths.
  'too-many-name-checks': 'bad_certificate',
  // The profile rules of RFC 5280 section 4 and the CA/Browser Forum Baseline Requirements (src/x509/profile.ts).
  'bad-name-constraints': 'bad_certificate',
  'bad-basic-constraints': 'bad_certificate',
  'bad-key-identifier': 'bad_certificate',
  'bad-subject': 'bad_certificate',
  'bad-subject-alt-name': 'bad_certificate',
  'bad-common-name': 'bad_certificate',
  'bad-policy-extension': 'bad_certificate',
  'bad-serial-number': 'bad_certificate',
  'bad-rsa-modulus': 'bad_certificate',
  // A valid client certificate that names none of the identities the server expects (RFC 8446 6.2: access_denied).
  'client-name-mismatch': 'access_denied',
}

/** A certificate chain or host name failed verification; `depth` is 0 for the leaf. */
export class CertificateVerificationError extends TlsError {
  /** Why verification failed; the alert sent follows from it (e.g. `expired` → `certificate_expired`). */
  readonly reason: CertificateFailureReason
  /** The position of the failing certificate in the chain: 0 is the leaf, 1 its issuer, and so on. */
  readonly depth: number
  constructor(reason: CertificateFailureReason, message: string, depth = 0) {
    super(certificateAlerts[reason], `certificate verify failed (${reason}) at depth ${depth}: ${message}`, 'ERR_TLS_CERT_VERIFY')
    this.name = 'CertificateVerificationError'
    this.reason = reason
    this.depth = depth
  }
}
