// ignoreBOM: a name that starts with U+FEFF is a different name from the one without it.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Turns the raw bytes of a path into text that every store accepts. Valid UTF-8 stays as it is.
 * A name that is not valid UTF-8 is written with each byte outside ASCII as `\xNN` and each
 * backslash as `\\`, which keeps such names distinct from each other (a lossy replacement
 * character would merge them and break the natural key). The one remaining clash, a valid name
 * spelling out a literal `\xNN` next to its invalid twin, is accepted: git itself warns about
 * names that are not UTF-8.
 *
 * @example decodePath(Buffer.from([0x61, 0xff])) === 'a\\xff'
 */
export function decodePath(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    let text = '';
    for (const byte of bytes) {
      if (byte === 0x5c) text += '\\\\';
      else if (byte < 0x80) text += String.fromCharCode(byte);
      else text += `\\x${byte.toString(16).padStart(2, '0')}`;
    }
    return text;
  }
}
