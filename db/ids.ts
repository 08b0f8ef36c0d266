// An RFC 9562 UUID in canonical text form, in either case, as PostgreSQL's uuid type prints it.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Returns whether `value` is a UUID in canonical form. Check ids from requests with it before a
 * query: PostgreSQL rejects a malformed uuid with an error rather than matching no row.
 */
export function isUuid(value: string): boolean {
  return UUID.test(value)
}
