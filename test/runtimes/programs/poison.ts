// Loaded before anything else in a child process: every other source of randomness (crypto, Math.random) records and throws.
export const touched: string[] = []

function poisoned(name: string): never {
  touched.push(name)
  throw new Error(`${name} was used: all randomness must come from the provider's randomBytes`)
}

const crypto = new Proxy({}, { get: (_target, key) => poisoned(`crypto.${String(key)}`) })
Object.defineProperty(globalThis, 'crypto', { configurable: true, get: () => (touched.push('globalThis.crypto'), crypto) })
Math.random = () => poisoned('Math.random')
