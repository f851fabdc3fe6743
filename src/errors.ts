// The error types of pure-tls: every failure is a TlsError carrying the alert that was or will be sent.

/** Alert descriptions (RFC 8446 section 6, RFC 5246 section 7.2, RFC 7301, RFC 5746). */
export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  no_renegotiation: 100,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
} as const

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
  readonly alert: AlertName
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
  readonly option: string
  constructor(option: string, message: string) {
    super('internal_error', `${option}: ${message}`, 'ERR_TLS_CONFIG')
    this.name = 'TlsConfigError'
    this.option = option
  }
}

/** A handshake refused by a policy constraint: it names the constraint, what was offered, what is allowed. */
export class TlsPolicyError extends TlsError {
  readonly constraint: string
  readonly offered: string
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
  readonly reason: CertificateFailureReason
  readonly depth: number
  constructor(reason: CertificateFailureReason, message: string, depth = 0) {
    super(certificateAlerts[reason], `certificate verify failed (${reason}) at depth ${depth}: ${message}`, 'ERR_TLS_CERT_VERIFY')
    this.name = 'CertificateVerificationError'
    this.reason = reason
    this.depth = depth
  }
}
