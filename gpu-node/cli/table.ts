// Plain-text columns for terminal output (help, listings).

/** Pads every column but the last to its widest cell; columns are two spaces apart. */
export function columns(rows: readonly (readonly string[])[], indent = 0): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => ' '.repeat(indent) + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}
