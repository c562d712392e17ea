/**
 * Argument checks in better-sqlite3's manner: misuse throws at once, naming the argument — `TypeError` for a wrong
 * kind of value, `RangeError` for a value out of range. Hand-written so that the migrator depends on Kysely alone.
 */
export function expectObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${name} must be an object`)
}

export function expectMethod(value: unknown, method: string, name: string, what: string): void {
  if (typeof (value as Record<string, unknown> | null | undefined)?.[method] !== 'function') {
    throw new TypeError(`${name} must be ${what}`)
  }
}

export function expectOptionalString(value: unknown, name: string, pattern?: RegExp): void {
  if (value === undefined) return
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`)
  if (pattern && !pattern.test(value)) throw new TypeError(`${name} must match ${pattern}`)
}

export function expectOptionalInteger(value: unknown, name: string, min: number): void {
  if (value === undefined) return
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`${name} must be an integer`)
  if (value < min) throw new RangeError(`${name} must be >= ${min}`)
}

export function expectOptionalFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function') throw new TypeError(`${name} must be a function`)
}
