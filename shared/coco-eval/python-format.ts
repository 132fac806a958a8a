// Python's '{:.Nf}' formatting. Number.prototype.toFixed rounds the exact binary value too, but
// breaks exact ties away from zero where Python rounds them to even (0.0625 → '0.062').

export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const ax = Math.abs(x);
  const scaled = ax * 2 ** (digits + 1);
  // A tie is a value exactly halfway between two decimals: odd multiple of 2^-(digits+1).
  if (Number.isInteger(scaled) && scaled % 2 === 1 && scaled < 2 ** 40) {
    const lower = Math.floor(ax * 10 ** digits);
    const n = lower % 2 === 0 ? lower : lower + 1;
    const s = String(n).padStart(digits + 1, '0');
    return `${sign}${s.slice(0, s.length - digits)}${digits > 0 ? '.' : ''}${s.slice(s.length - digits)}`;
  }
  return sign + ax.toFixed(digits);
}
