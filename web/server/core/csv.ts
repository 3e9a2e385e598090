/**
 * CSV that spreadsheets open safely: UTF-8 with a BOM (so Excel reads accents), CRLF rows, and no field a spreadsheet
 * could run as a formula.
 *
 * The file is comma-separated, but it is not always read that way: Excel splits on the locale's list separator (`;` in
 * French and most of Europe), LibreOffice and Sheets guess the separator (tab among the candidates), and a quote only
 * protects a field that it opens in the separator actually used. So a cell like `x;=1+1`, one harmless cell to a
 * comma reader, is `x` and a formula `=1+1` to a semicolon reader, and a line break inside a quoted cell starts a new
 * row for a reader that does not see the quote. The rule therefore looks at every place a field can start: the cell's
 * start, and after any `,` `;` tab or line break in it. Where `=`, `+`, `-` or `@` follows (after spaces or quotes,
 * which Sheets trims or reads as a quoted field), an apostrophe goes in front of it, so every reading sees text.
 * A cell starting with tab or CR also gets one, as before. Ordinary text keeps its shape: `+33 6 ...` starting a cell
 * was already prefixed; hyphens and signs inside words or numbers (`jean-pierre`, `10-20`, `a=b`) are not after a
 * separator; only a sign right after a separator (`..., -20%`) gains an apostrophe, which a reader can live with.
 */
export const CSV_BOM = '\uFEFF';

const FORMULA_AFTER_SEPARATOR = /(^|[,;\t\r\n])([ \t"]*)(?=[=+\-@])/g;

export function csvCell(value: unknown): string {
  let text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
        ? String(value)
        : (JSON.stringify(value) ?? '');
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  text = text.replace(FORMULA_AFTER_SEPARATOR, "$1$2'");
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvRow = (cells: readonly unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`;
