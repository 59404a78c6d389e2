/**
 * A store URL fit for messages and logs: the password replaced by `***` (the user stays: it helps
 * to see who connected), a `password=` query parameter too. The store role keeps its own masker
 * rather than reach into the collector's.
 *
 * @example maskStoreUrl('postgres://metre:s3cret@db/metre') // 'postgres://metre:***@db/metre'
 */
export function maskStoreUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]*@/i, '$1:***@')
    .replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/**
 * Masks every `scheme://user:password@` in a text, e.g. a driver's message quoting its URL.
 *
 * @example maskUrlsIn('cannot reach postgres://a:b@h/d') // 'cannot reach postgres://a:***@h/d'
 */
export function maskUrlsIn(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]*@/gi, '$1:***@');
}
