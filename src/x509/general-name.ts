// The GeneralName CHOICE of RFC 5280 section 4.2.1.6: the forms name constraints evaluate decoded, the rest kept raw.
import { contentsOf, contextTagOf, encodingOf, explicitOf, isConstructed, malformed, type Block } from '../crypto/der-reader.js'
import { nameOf, type Name } from './name.js'

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

/** The forms kept as their raw encoding: otherName, x400Address, ediPartyName, registeredID. */
export type OpaqueGeneralNameForm = Exclude<GeneralNameForm, 'dNSName' | 'rfc822Name' | 'uniformResourceIdentifier' | 'iPAddress' | 'directoryName'>

export type GeneralName =
  | { readonly form: 'dNSName' | 'rfc822Name' | 'uniformResourceIdentifier'; readonly value: string }
  | { readonly form: 'iPAddress'; readonly value: Uint8Array }
  | { readonly form: 'directoryName'; readonly value: Name }
  | { readonly form: OpaqueGeneralNameForm; readonly der: Uint8Array }

/** Forms whose [n] tag wraps a constructed type (otherName, x400Address, ediPartyName IMPLICIT; directoryName EXPLICIT). */
const constructedForms = new Set<GeneralNameForm>(['otherName', 'x400Address', 'directoryName', 'ediPartyName'])

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
  switch (form) {
    case 'dNSName':
    case 'rfc822Name':
    case 'uniformResourceIdentifier':
      return { form, value: ia5Text(contentsOf(block), `${what} ${form}`) }
    case 'iPAddress':
      return { form, value: contentsOf(block) }
    case 'directoryName':
      return { form, value: nameOf(explicitOf(block, `${what} directoryName`), `${what} directoryName`) }
    default:
      return { form, der: encodingOf(block) }
  }
}
