// The GeneralName CHOICE of RFC 5280 section 4.2.1.6: dNSName and iPAddress decoded, the other forms kept raw.
import { contentsOf, contextTagOf, encodingOf, isConstructed, malformed, type Block } from './asn1.js'

export const generalNameForms = [
  'otherName',
  'rfc822Name',
  'dNSName',
  'x400Address',
  'directoryName',
  'ediPartyName',
  'uniformResourceIdentifier',
  'iPAddress',
  'registeredID',
] as const

export type GeneralNameForm = (typeof generalNameForms)[number]

export type GeneralName =
  | { readonly form: 'dNSName'; readonly value: string }
  | { readonly form: 'iPAddress'; readonly value: Uint8Array }
  | { readonly form: Exclude<GeneralNameForm, 'dNSName' | 'iPAddress'>; readonly der: Uint8Array }

/** Forms whose [n] IMPLICIT tag wraps a constructed type (otherName, x400Address, directoryName, ediPartyName). */
const constructedForms = new Set<GeneralNameForm>(['otherName', 'x400Address', 'directoryName', 'ediPartyName'])
/** Forms whose value is an IA5String. */
const ia5Forms = new Set<GeneralNameForm>(['rfc822Name', 'dNSName', 'uniformResourceIdentifier'])

function ia5Text(bytes: Uint8Array, what: string): string {
  let out = ''
  for (const b of bytes) {
    if (b > 0x7f) throw malformed(`${what}: IA5String holds a non-ASCII octet`)
    out += String.fromCharCode(b)
  }
  return out
}

export function generalNameOf(block: Block, what: string): GeneralName {
  const form = generalNameForms[contextTagOf(block)]
  if (form === undefined) throw malformed(`${what}: not a GeneralName`)
  if (isConstructed(block) !== constructedForms.has(form)) throw malformed(`${what}: ${form} in the wrong form`)
  const contents = contentsOf(block)
  if (ia5Forms.has(form)) {
    const text = ia5Text(contents, `${what} ${form}`)
    if (form === 'dNSName') return { form, value: text }
  }
  if (form === 'iPAddress') return { form, value: contents }
  return { form: form as Exclude<GeneralNameForm, 'dNSName' | 'iPAddress'>, der: encodingOf(block) }
}
