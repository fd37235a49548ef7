/** Fen (integer) as 元 with two decimals and thousands separators: 200000 → "2,000.00". */
export function yuan(fen: number): string {
  return (fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}
