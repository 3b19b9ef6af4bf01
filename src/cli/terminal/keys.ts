// Terminal input as keys: escape sequences, Enter, Ctrl-C and printable characters, decoded from
// what the keyboard sends in raw mode.

export type Key = 'up' | 'down' | 'home' | 'end' | 'enter' | 'escape' | 'interrupt' | { char: string };

/**
 * Splits terminal input into keys: arrow keys in both cursor modes (CSI `ESC [ A`, SS3 `ESC O A`),
 * Home/End, Enter (CR or LF), a lone ESC, Ctrl-C, and printable characters.
 */
export function decodeKeys(chunk: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  while (i < chunk.length) {
    const c = chunk[i]!;
    if (c === '\x1b') {
      const next = chunk[i + 1];
      if (next === '[' || next === 'O') {
        // CSI/SS3: parameters, then one final byte in @–~.
        let j = i + 2;
        while (j < chunk.length && /[0-9;]/.test(chunk[j]!)) j++;
        const final = chunk[j];
        const params = chunk.slice(i + 2, j);
        i = j + 1;
        if (final === 'A') keys.push('up');
        else if (final === 'B') keys.push('down');
        else if (final === 'H' || (final === '~' && (params === '1' || params === '7'))) keys.push('home');
        else if (final === 'F' || (final === '~' && (params === '4' || params === '8'))) keys.push('end');
        continue;
      }
      keys.push('escape');
      i += next === '\x1b' ? 2 : 1;
      continue;
    }
    if (c === '\r' || c === '\n') {
      keys.push('enter');
      i += c === '\r' && chunk[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    if (c === '\x03' || c === '\x04') {
      keys.push('interrupt');
      i++;
      continue;
    }
    keys.push({ char: c });
    i++;
  }
  return keys;
}
