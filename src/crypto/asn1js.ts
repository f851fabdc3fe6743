// asn1js, loaded so that it works on engines without TextDecoder (see asn1js-text-decoder.ts); import it from here.
import { removeTextDecoderStandIn } from './asn1js-text-decoder.js'
import * as asn1js from 'asn1js'

removeTextDecoderStandIn()

export { asn1js }
