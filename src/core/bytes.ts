const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns the raw bytes of a path into text that every store accepts. Valid UTF-8 stays as it is;
 * in a name that is not valid UTF-8 each byte outside ASCII becomes `\xNN`, which keeps distinct
 * names distinct (a lossy replacement character would merge them and break the natural key).
 *
 * @example decodePath(Buffer.from([0x61, 0xff])) === 'a\\xff'
 */
export function decodePath(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    let text = '';
    for (const byte of bytes) {
      text += byte < 0x80 ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
    }
    return text;
  }
}
