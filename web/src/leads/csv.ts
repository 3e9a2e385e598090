/**
 * CSV that spreadsheets open safely: UTF-8 with a BOM (so Excel reads accents), CRLF rows, and any cell starting
 * with =, +, -, @, tab or CR prefixed with an apostrophe so a spreadsheet never runs it as a formula.
 */
export const CSV_BOM = '\uFEFF';

export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvRow = (cells: readonly unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`;
