// IP address text forms (dotted-quad IPv4, RFC 4291 section 2.2 IPv6) to and from the octets an iPAddress holds.

/** Four octets for `a.b.c.d` (decimal, no leading zeros), or null. */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.')
  if (parts.length !== 4) return null
  const out = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null
    const value = Number(part)
    if (value > 255) return null
    out[i] = value
  }
  return out
}

/** Sixteen octets for an IPv6 address in full, `::`-compressed or IPv4-suffixed form (no zone index), or null. */
export function parseIPv6(text: string): Uint8Array | null {
  if (text.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(text)) return null
  const halves = text.split('::')
  if (halves.length > 2) return null
  const groupsOf = (part: string): number[] | null => {
    if (part === '') return []
    const groups: number[] = []
    const pieces = part.split(':')
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIPv4(piece)
        if (v4 === null) return null
        groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!)
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(piece)) {
        groups.push(parseInt(piece, 16))
      } else {
        return null
      }
    }
    return groups
  }
  const head = groupsOf(halves[0]!)
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : []
  if (head === null || tail === null) return null
  // An IPv4 suffix may only end the address, never sit before a `::`.
  if (halves.length === 2 && halves[0]!.includes('.')) return null
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail]
  const out = new Uint8Array(16)
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8
    out[2 * i + 1] = g & 0xff
  })
  return out
}

/** The octets of an IPv4 or IPv6 address in text form, or null when `text` is neither. */
export function parseIpAddress(text: string): Uint8Array | null {
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text)
}

/** Dotted-quad for 4 octets, eight colon-separated groups for 16 (uncompressed, for messages), hex otherwise. */
export function formatIpAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.')
  if (bytes.length === 16) {
    const groups: string[] = []
    for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16))
    return groups.join(':')
  }
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** The longest run of at least two zero groups (the first of equal runs), as [start, length], or null (RFC 5952 4.2). */
function longestZeroRun(groups: readonly number[]): [number, number] | null {
  let best: [number, number] | null = null
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let end = i
    while (end < groups.length && groups[end] === 0) end++
    if (end - i >= 2 && (best === null || end - i > best[1])) best = [i, end - i]
    i = end
  }
  return best
}

/**
 * The canonical text of an address: dotted-quad for IPv4, RFC 5952 section 4 for IPv6 (lower case, no leading
 * zeros, the longest run of two or more zero groups as `::`). What the BR require a subject CN to spell.
 */
export function canonicalIpText(bytes: Uint8Array): string {
  if (bytes.length !== 16) return formatIpAddress(bytes)
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!)
  const run = longestZeroRun(groups)
  const text = (part: readonly number[]) => part.map((g) => g.toString(16)).join(':')
  if (run === null) return text(groups)
  return `${text(groups.slice(0, run[0]))}::${text(groups.slice(run[0] + run[1]))}`
}
