/**
 * What a plain JSON object is: a module of its own, so that the main thread's source reader takes
 * this and none of the wire rules (`./wire`), which only the parsing needs. @internal
 */

/** A plain object, as `JSON.parse` and zod produce: no class instance, no array. @internal */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * An object's own fields as a plain record: the object itself when it is plain, a copy of its own
 * enumerable fields when it is a class instance (the Agents SDK's run events), else `null`.
 * @internal
 */
export function asRecord(value: unknown): Record<string, unknown> | null {
  if (isPlainObject(value)) return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  return { ...(value as Record<string, unknown>) };
}
